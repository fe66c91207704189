using System.Security.Claims;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// A shop-floor terminal's session: the device signs in with its terminal key and holds only the
/// <see cref="DomioRoles.Terminal"/> role, bound to its work centre; an operator identifies on top of it with a badge
/// or user name and PIN, which names the person for the audit trail but never adds their roles, so a shared terminal
/// never reaches office data whoever stands at it.
/// </summary>
internal sealed class TerminalSession(SecurityDbContext db, UserManager<IdentityUser> users, AuditTrail audit, TimeProvider time)
{
    public const string Scheme = "Terminal";
    public const string CookieName = "domio.terminal";
    public const string KeyPrefix = "domioterm";

    public async Task<bool> SignInAsync(HttpContext http, string? key)
    {
        if (!SecretKeys.TryParse(KeyPrefix, key, out string id, out string secret))
        {
            return false;
        }

        var terminal = await db.Terminals.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, http.RequestAborted);
        if (terminal is null || terminal.RevokedAt is not null || !SecretKeys.Matches(secret, terminal.SecretHash))
        {
            return false;
        }

        await http.SignInAsync(Scheme, Principal(terminal, null));
        await audit.AppendAsync(new AuditActor($"terminal:{terminal.Id}", null, http.Connection.RemoteIpAddress?.ToString()),
            "terminal.signed-in", "terminal", terminal.Id, null, new { terminal.WorkCentre }, http.RequestAborted);
        return true;
    }

    /// <summary>Identifies the operator at the terminal by badge, or by user name and PIN (failures count toward the person's lockout).</summary>
    public async Task<IdentifyOutcome> IdentifyOperatorAsync(HttpContext http, string? badge, string? userName, string? pin)
    {
        string terminalId = http.User.FindFirstValue(SecurityClaims.CredentialId)!;
        var terminal = await db.Terminals.AsNoTracking().SingleAsync(t => t.Id == terminalId, http.RequestAborted);
        IdentityUser? person = null;
        if (!string.IsNullOrEmpty(badge))
        {
            byte[] hash = SecretKeys.Hash(badge);
            var credential = await db.OperatorCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.BadgeHash == hash, http.RequestAborted);
            person = credential is null ? null : await users.FindByIdAsync(credential.UserId);
            if (person is not null && await users.IsLockedOutAsync(person))
            {
                return IdentifyOutcome.LockedOut;
            }
        }
        else if (!string.IsNullOrEmpty(userName) && !string.IsNullOrEmpty(pin) && await users.FindByNameAsync(userName) is { } candidate)
        {
            if (await users.IsLockedOutAsync(candidate))
            {
                return IdentifyOutcome.LockedOut;
            }

            var credential = await db.OperatorCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == candidate.Id, http.RequestAborted);
            if (credential?.PinHash is not null
                && users.PasswordHasher.VerifyHashedPassword(candidate, credential.PinHash, pin) != PasswordVerificationResult.Failed)
            {
                person = candidate;
                await users.ResetAccessFailedCountAsync(candidate);
            }
            else
            {
                await users.AccessFailedAsync(candidate);
            }
        }

        if (person is null)
        {
            return IdentifyOutcome.Unknown;
        }

        await http.SignInAsync(Scheme, Principal(terminal, person));
        await audit.AppendAsync(new AuditActor($"terminal:{terminal.Id}", person.Id, http.Connection.RemoteIpAddress?.ToString()),
            "terminal.operator-identified", "terminal", terminal.Id, null, new { operatorId = person.Id, method = badge is null ? "pin" : "badge" }, http.RequestAborted);
        return IdentifyOutcome.Identified;
    }

    public async Task ForgetOperatorAsync(HttpContext http)
    {
        string terminalId = http.User.FindFirstValue(SecurityClaims.CredentialId)!;
        var terminal = await db.Terminals.AsNoTracking().SingleAsync(t => t.Id == terminalId, http.RequestAborted);
        await http.SignInAsync(Scheme, Principal(terminal, null));
    }

    /// <summary>Every request: a revoked terminal's session ends at once.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        string? id = context.Principal?.FindFirstValue(SecurityClaims.CredentialId);
        var db = context.HttpContext.RequestServices.GetRequiredService<SecurityDbContext>();
        if (id is null || !await db.Terminals.AnyAsync(t => t.Id == id && t.RevokedAt == null, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private ClaimsPrincipal Principal(Terminal terminal, IdentityUser? person)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, "terminal:" + terminal.Id),
            new(ClaimTypes.Name, terminal.Name),
            new(ClaimTypes.Role, DomioRoles.Terminal),
            new(SecurityClaims.CredentialKind, SecurityClaims.TerminalCredential),
            new(SecurityClaims.CredentialId, terminal.Id),
            new(SecurityClaims.WorkCentre, terminal.WorkCentre),
            new("domio:signed-in-at", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (person is not null)
        {
            claims.Add(new(SecurityClaims.OperatorId, person.Id));
            claims.Add(new(SecurityClaims.OperatorName, person.UserName ?? person.Id));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }
}

internal enum IdentifyOutcome
{
    Identified,
    Unknown,
    LockedOut,
}
