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
internal sealed class TerminalSession(
    SecurityDbContext db, Production.ProductionDbContext production, UserManager<IdentityUser> users, TerminalLockouts lockouts, BadgeKey badgeKey, AuditTrail audit, TimeProvider time)
{
    private static readonly IdentityUser Nobody = new("nobody");
    private static readonly string NobodysPin = new PasswordHasher<IdentityUser>().HashPassword(Nobody, "no PIN");

    public const string Scheme = "Terminal";
    public const string CookieName = "domio.terminal";
    public const string KeyPrefix = "domioterm";

    public async Task<bool> SignInAsync(HttpContext http, string? key)
    {
        if (!SecretKeys.TryParse(KeyPrefix, key, out var id, out var secret))
        {
            return false;
        }

        var terminal = await db.Terminals.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, http.RequestAborted);
        if (terminal is null || terminal.RevokedAt is not null || !SecretKeys.Matches(secret, terminal.SecretHash))
        {
            return false;
        }

        await http.SignInAsync(Scheme, await PrincipalAsync(terminal, null, http.RequestAborted));
        await audit.AppendAsync(new AuditActor($"terminal:{terminal.Id}", null, http.Connection.RemoteIpAddress?.ToString()),
            "terminal.signed-in", "terminal", terminal.Id, null, new { terminal.WorkCentre }, http.RequestAborted);
        return true;
    }

    /// <summary>
    /// Identifies the operator at the terminal by badge, or by user name and PIN. A wrong PIN counts toward that person's PIN
    /// lockout at this terminal only (never their web account); every failure spends the terminal's budget.
    /// </summary>
    public async Task<(IdentifyOutcome Outcome, DateTimeOffset? LockedUntil)> IdentifyOperatorAsync(HttpContext http, string? badge, string? userName, string? pin)
    {
        var ct = http.RequestAborted;
        var terminalId = http.User.FindFirstValue(SecurityClaims.CredentialId)!;
        var terminal = await db.Terminals.AsNoTracking().SingleAsync(t => t.Id == terminalId, ct);
        if (await lockouts.TerminalLockedUntilAsync(terminalId, ct) is { } lockedUntil)
        {
            return (IdentifyOutcome.TerminalLocked, lockedUntil);
        }

        IdentityUser? person = null;
        if (!string.IsNullOrEmpty(badge))
        {
            person = await FindByBadgeAsync(badge, ct);
        }
        else if (!string.IsNullOrEmpty(userName) && !string.IsNullOrEmpty(pin))
        {
            var candidate = await users.FindByNameAsync(userName);
            if (candidate is not null && await lockouts.PinLockedAsync(terminalId, candidate.Id, ct))
            {
                return (IdentifyOutcome.LockedOut, null);
            }

            var credential = candidate is null ? null : await db.OperatorCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == candidate.Id, ct);
            // An unknown name costs a hash check too, so the time taken does not tell which names exist.
            var matches = users.PasswordHasher.VerifyHashedPassword(candidate ?? Nobody, credential?.PinHash ?? NobodysPin, pin) != PasswordVerificationResult.Failed;
            if (candidate is not null && credential?.PinHash is not null && matches)
            {
                person = candidate;
                await lockouts.PinSucceededAsync(terminalId, candidate.Id, ct);
            }
            else if (candidate is not null)
            {
                await lockouts.PinFailedAsync(terminalId, candidate.Id, ct);
            }
        }

        if (person is null)
        {
            await lockouts.TerminalFailedAsync(terminalId, ct);
            return (IdentifyOutcome.Unknown, null);
        }

        await http.SignInAsync(Scheme, await PrincipalAsync(terminal, person, ct));
        await audit.AppendAsync(new AuditActor($"terminal:{terminal.Id}", person.Id, http.Connection.RemoteIpAddress?.ToString()),
            "terminal.operator-identified", "terminal", terminal.Id, null, new { operatorId = person.Id, method = badge is null ? "pin" : "badge" }, ct);
        return (IdentifyOutcome.Identified, null);
    }

    private async Task<IdentityUser?> FindByBadgeAsync(string badge, CancellationToken ct)
    {
        var hash = badgeKey.Hash(badge);
        var credential = await db.OperatorCredentials.SingleOrDefaultAsync(c => c.BadgeHash == hash, ct);
        if (credential is null)
        {
            // A badge stored before badges were keyed (plain SHA-256) is found once more and rehashed on the spot.
            var legacy = SecretKeys.Hash(badge);
            credential = await db.OperatorCredentials.SingleOrDefaultAsync(c => c.BadgeHash == legacy, ct);
            if (credential is not null)
            {
                credential.BadgeHash = hash;
                await db.SaveChangesAsync(ct);
            }
        }

        return credential is null ? null : await users.FindByIdAsync(credential.UserId);
    }

    public async Task ForgetOperatorAsync(HttpContext http)
    {
        var terminalId = http.User.FindFirstValue(SecurityClaims.CredentialId)!;
        var terminal = await db.Terminals.AsNoTracking().SingleAsync(t => t.Id == terminalId, http.RequestAborted);
        await http.SignInAsync(Scheme, await PrincipalAsync(terminal, null, http.RequestAborted));
    }

    /// <summary>Every request: a revoked terminal's session ends at once.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(SecurityClaims.CredentialId);
        var db = context.HttpContext.RequestServices.GetRequiredService<SecurityDbContext>();
        if (id is null || !await db.Terminals.AnyAsync(t => t.Id == id && t.RevokedAt == null, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(Terminal terminal, IdentityUser? person, CancellationToken ct)
    {
        var machines = await production.WorkCentreMachines.AsNoTracking()
            .Where(m => m.WorkCentreId == terminal.WorkCentre).Select(m => m.MachineId).ToListAsync(ct);
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
        claims.AddRange(machines.Select(machine => new Claim(SecurityClaims.Machine, machine)));
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

    /// <summary>This person's PIN is locked at this terminal.</summary>
    LockedOut,

    /// <summary>The terminal spent its failure budget and refuses every operator for a while.</summary>
    TerminalLocked,
}
