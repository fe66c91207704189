using System.Security.Claims;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// GDPR, administrators only: <c>GET /api/security/people/{id}/export</c> gives everything stored about a person;
/// <c>DELETE /api/security/people/{id}</c> erases it. The audit trail names people only by an opaque id and keeps no
/// personal fields, so it stays intact (and verifiable) after an erasure; the export includes the rows by or about them.
/// </summary>
internal static class PersonDataApi
{
    public static IEndpointRouteBuilder MapPersonDataApi(this IEndpointRouteBuilder app)
    {
        var people = app.MapGroup("/api/security/people").WithTags("GDPR").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        people.MapGet("/{id}/export", ExportAsync);
        people.MapDelete("/{id}", EraseAsync);
        return app;
    }

    internal sealed record PersonExport(
        object Account, string[] Roles, object[] Claims, object[] ExternalLogins, object[] ApiKeys, object? OperatorCredential, List<AuditRecord> AuditTrail);

    private static async Task<Results<Ok<PersonExport>, NotFound>> ExportAsync(
        string id, UserManager<IdentityUser> users, SecurityDbContext db, AuditTrail audit, HttpContext http)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        var ct = http.RequestAborted;
        var rows = new List<AuditRecord>();
        await foreach (var row in audit.ReadAsync(0, int.MaxValue, user.Id, ct))
        {
            rows.Add(row);
        }

        var export = new PersonExport(
            new
            {
                user.Id,
                user.UserName,
                user.Email,
                user.EmailConfirmed,
                user.PhoneNumber,
                user.PhoneNumberConfirmed,
                user.TwoFactorEnabled,
                user.LockoutEnd,
                user.AccessFailedCount,
                HasPassword = user.PasswordHash is not null,
            },
            [.. await users.GetRolesAsync(user)],
            [.. (await users.GetClaimsAsync(user)).Select(c => new { c.Type, c.Value })],
            [.. (await users.GetLoginsAsync(user)).Select(l => new { l.LoginProvider, l.ProviderDisplayName })],
            [.. await db.ApiKeys.AsNoTracking().Where(k => k.UserId == user.Id).Select(k => new { k.Id, k.Name, k.CreatedAt, k.RevokedAt }).ToListAsync(ct)],
            await db.OperatorCredentials.AsNoTracking().Where(c => c.UserId == user.Id)
                .Select(c => new { HasBadge = c.BadgeHash != null, HasPin = c.PinHash != null }).SingleOrDefaultAsync(ct),
            rows);
        await audit.AppendAsync(AuditActor.From(http), "person.exported", "user", user.Id, null, null, ct);
        return TypedResults.Ok(export);
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> EraseAsync(
        string id, UserManager<IdentityUser> users, SessionRevocation sessions, AuditTrail audit, HttpContext http)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (http.User.FindFirstValue(ClaimTypes.NameIdentifier) == user.Id)
        {
            return TypedResults.Problem("Another administrator must erase your own account", statusCode: StatusCodes.Status409Conflict);
        }

        // Roles, claims, logins, tokens (authenticator key, recovery codes), API keys and badges/PINs go with the user (ON DELETE CASCADE).
        var result = await users.DeleteAsync(user);
        if (!result.Succeeded)
        {
            return TypedResults.Problem(string.Join(" ", result.Errors.Select(e => e.Description)), statusCode: StatusCodes.Status400BadRequest);
        }

        await sessions.EndUserAsync(id);
        await audit.AppendAsync(AuditActor.From(http), "person.erased", "user", id, null, null, http.RequestAborted);
        return TypedResults.NoContent();
    }
}
