using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary><c>/api/security</c>, administrators only: users and their roles, API keys, terminals, operator badges and PINs.</summary>
internal static class SecurityAdminApi
{
    /// <summary>Fewer digits are too few guesses for a terminal's failure budget to protect.</summary>
    public const int MinPinDigits = 6;

    public static IEndpointRouteBuilder MapSecurityAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/security").WithTags("Security").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        admin.MapGet("/users", ListUsersAsync);
        admin.MapPost("/users", CreateUserAsync);
        admin.MapPut("/users/{id}/roles", SetRolesAsync);
        admin.MapPost("/users/{id}/lock", LockAsync);
        admin.MapPost("/users/{id}/unlock", UnlockAsync);
        admin.MapPost("/users/{id}/api-keys", CreateApiKeyAsync);
        admin.MapGet("/api-keys", ListApiKeysAsync);
        admin.MapDelete("/api-keys/{id}", RevokeApiKeyAsync);
        admin.MapPut("/users/{id}/operator-credential", SetOperatorCredentialAsync);
        admin.MapPost("/terminals", CreateTerminalAsync);
        admin.MapDelete("/terminals/{id}", RevokeTerminalAsync);
        return app;
    }

    internal sealed record UserView(string Id, string? UserName, string? Email, string[] Roles, bool TwoFactorEnabled, DateTimeOffset? LockedOutUntil);

    internal sealed record CreateUserRequest(string UserName, string? Email, string Password, string[] Roles);

    internal sealed record RolesRequest(string[] Roles);

    internal sealed record NameRequest(string Name);

    internal sealed record NewKey(string Id, string Key);

    internal sealed record ApiKeyView(string Id, string UserId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

    internal sealed record OperatorCredentialRequest(string? Badge, string? Pin);

    internal sealed record TerminalRequest(string Name, string WorkCentre);

    private static async Task<List<UserView>> ListUsersAsync(UserManager<IdentityUser> users, CancellationToken ct)
    {
        var list = new List<UserView>();
        foreach (var user in await users.Users.OrderBy(u => u.UserName).ToListAsync(ct))
        {
            list.Add(await ViewAsync(users, user));
        }

        return list;
    }

    private static async Task<UserView> ViewAsync(UserManager<IdentityUser> users, IdentityUser user) => new(
        user.Id, user.UserName, user.Email, [.. await users.GetRolesAsync(user)], user.TwoFactorEnabled,
        user.LockoutEnd is { } end && end > DateTimeOffset.UtcNow ? end : null);

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateUserAsync(
        CreateUserRequest request, UserManager<IdentityUser> users, AuditTrail audit, HttpContext http)
    {
        var invalid = RequestFields.Check(RequestFields.Required("userName", request.UserName, 256), RequestFields.Optional("email", request.Email, 256), RequestFields.Required("password", request.Password, 256))
            ?? (request.Roles is null ? null : RequestFields.CheckList("roles", request.Roles, DomioRoles.People.Count, 64));
        if (invalid is not null)
        {
            return invalid;
        }

        if (UnknownRole(request.Roles) is { } bad)
        {
            return bad;
        }

        var user = new IdentityUser(request.UserName) { Email = request.Email };
        var result = await users.CreateAsync(user, request.Password ?? "");
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, request.Roles ?? []);
        }

        if (!result.Succeeded)
        {
            return Problem(result);
        }

        await audit.AppendAsync(AuditActor.From(http), "user.created", "user", user.Id, null, new { roles = request.Roles }, http.RequestAborted);
        return TypedResults.Created($"/api/security/users/{user.Id}", await ViewAsync(users, user));
    }

    private static async Task<Results<Ok<UserView>, NotFound, ProblemHttpResult>> SetRolesAsync(
        string id, RolesRequest request, UserManager<IdentityUser> users, SessionRevocation sessions, AuditTrail audit, HttpContext http)
    {
        if (RequestFields.CheckList("roles", request.Roles, DomioRoles.People.Count, 64) is { } invalid)
        {
            return invalid;
        }

        if (UnknownRole(request.Roles) is { } bad)
        {
            return bad;
        }

        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        var before = await users.GetRolesAsync(user);
        var result = await users.RemoveFromRolesAsync(user, before.Except(request.Roles));
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, request.Roles.Except(before));
        }

        if (!result.Succeeded)
        {
            return Problem(result);
        }

        // Cookies issued with the old roles end at their next security stamp check; live hub connections end now.
        await users.UpdateSecurityStampAsync(user);
        await sessions.EndUserAsync(user.Id);
        await audit.AppendAsync(AuditActor.From(http), "user.roles-changed", "user", user.Id, new { roles = before }, new { roles = request.Roles }, http.RequestAborted);
        return TypedResults.Ok(await ViewAsync(users, user));
    }

    private static async Task<Results<NoContent, NotFound>> LockAsync(string id, UserManager<IdentityUser> users, SessionRevocation sessions, AuditTrail audit, HttpContext http)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        // Until unlocked: no sign-in, no API key; the stamp ends cookies, the revocation ends hub connections.
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user);
        await sessions.EndUserAsync(user.Id);
        await audit.AppendAsync(AuditActor.From(http), "user.locked", "user", user.Id, null, null, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> UnlockAsync(string id, UserManager<IdentityUser> users, SecurityDbContext db, AuditTrail audit, HttpContext http)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await db.TerminalPinLockouts.Where(l => l.UserId == user.Id).ExecuteDeleteAsync(http.RequestAborted);
        await audit.AppendAsync(AuditActor.From(http), "user.unlocked", "user", user.Id, null, null, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<NewKey>, NotFound, ProblemHttpResult>> CreateApiKeyAsync(
        string id, NameRequest request, UserManager<IdentityUser> users, SecurityDbContext db, TimeProvider time, AuditTrail audit, HttpContext http)
    {
        if (RequestFields.Check(RequestFields.Required("name", request.Name, 200)) is { } invalid)
        {
            return invalid;
        }

        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        var (keyId, key, hash) = SecretKeys.Create(ApiKeyAuthenticationHandler.Prefix);
        db.ApiKeys.Add(new ApiKey { Id = keyId, UserId = user.Id, Name = request.Name ?? "", SecretHash = hash, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(http.RequestAborted);
        await audit.AppendAsync(AuditActor.From(http), "api-key.created", "api-key", keyId, null, new { userId = user.Id, name = request.Name }, http.RequestAborted);
        // The only time the secret is shown.
        return TypedResults.Created($"/api/security/api-keys/{keyId}", new NewKey(keyId, key));
    }

    private static Task<List<ApiKeyView>> ListApiKeysAsync(SecurityDbContext db, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).Select(k => new ApiKeyView(k.Id, k.UserId, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync(ct);

    private static async Task<Results<NoContent, NotFound>> RevokeApiKeyAsync(
        string id, SecurityDbContext db, TimeProvider time, SessionRevocation sessions, AuditTrail audit, HttpContext http)
    {
        if (await db.ApiKeys.FindAsync([id], http.RequestAborted) is not { } key)
        {
            return TypedResults.NotFound();
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(http.RequestAborted);
        await sessions.EndCredentialAsync(SecurityClaims.ApiKeyCredential, key.Id);
        await audit.AppendAsync(AuditActor.From(http), "api-key.revoked", "api-key", id, new { revoked = false }, new { revoked = true }, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> SetOperatorCredentialAsync(
        string id, OperatorCredentialRequest request, UserManager<IdentityUser> users, SecurityDbContext db, BadgeKey badgeKey, AuditTrail audit, HttpContext http)
    {
        if (RequestFields.Check(RequestFields.Optional("badge", request.Badge, 256), RequestFields.Optional("pin", request.Pin, 64)) is { } invalid)
        {
            return invalid;
        }

        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (request.Pin is { } pin && (pin.Length is < MinPinDigits or > 12 || !pin.All(char.IsAsciiDigit)))
        {
            return TypedResults.Problem($"A PIN is {MinPinDigits} to 12 digits", statusCode: StatusCodes.Status400BadRequest);
        }

        var credential = await db.OperatorCredentials.FindAsync([user.Id], http.RequestAborted);
        if (credential is null)
        {
            credential = new OperatorCredential { UserId = user.Id };
            db.OperatorCredentials.Add(credential);
        }

        var before = new { badge = credential.BadgeHash is not null, pin = credential.PinHash is not null };
        if (request.Badge is not null)
        {
            credential.BadgeHash = request.Badge.Length == 0 ? null : badgeKey.Hash(request.Badge);
        }

        if (request.Pin is not null)
        {
            credential.PinHash = users.PasswordHasher.HashPassword(user, request.Pin);
        }

        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem("That badge belongs to someone else", statusCode: StatusCodes.Status409Conflict);
        }

        await audit.AppendAsync(AuditActor.From(http), "user.operator-credential-set", "user", user.Id, before,
            new { badge = credential.BadgeHash is not null, pin = credential.PinHash is not null }, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<NewKey>, ProblemHttpResult>> CreateTerminalAsync(
        TerminalRequest request, SecurityDbContext db, TimeProvider time, AuditTrail audit, HttpContext http)
    {
        if (RequestFields.Check(RequestFields.Required("name", request.Name, 200), RequestFields.Required("workCentre", request.WorkCentre, 64)) is { } invalid)
        {
            return invalid;
        }

        if (!Models.EdgeTopics.IsValidId(request.WorkCentre ?? ""))
        {
            return TypedResults.Problem("workCentre is a machine or work centre id (1-64 of A-Z a-z 0-9 - _ .)", statusCode: StatusCodes.Status400BadRequest);
        }

        var (id, key, hash) = SecretKeys.Create(TerminalSession.KeyPrefix);
        db.Terminals.Add(new Terminal { Id = id, Name = request.Name ?? "", WorkCentre = request.WorkCentre!, SecretHash = hash, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(http.RequestAborted);
        await audit.AppendAsync(AuditActor.From(http), "terminal.created", "terminal", id, null, new { request.Name, request.WorkCentre }, http.RequestAborted);
        return TypedResults.Created($"/api/security/terminals/{id}", new NewKey(id, key));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeTerminalAsync(
        string id, SecurityDbContext db, TimeProvider time, SessionRevocation sessions, AuditTrail audit, HttpContext http)
    {
        if (await db.Terminals.FindAsync([id], http.RequestAborted) is not { } terminal)
        {
            return TypedResults.NotFound();
        }

        terminal.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(http.RequestAborted);
        await sessions.EndCredentialAsync(SecurityClaims.TerminalCredential, terminal.Id);
        await audit.AppendAsync(AuditActor.From(http), "terminal.revoked", "terminal", id, new { revoked = false }, new { revoked = true }, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? UnknownRole(string[]? roles) =>
        roles?.FirstOrDefault(r => !DomioRoles.People.Contains(r)) is { } role
            ? TypedResults.Problem($"'{role}' is not a role ({string.Join(", ", DomioRoles.People)})", statusCode: StatusCodes.Status400BadRequest)
            : null;

    private static ProblemHttpResult Problem(IdentityResult result) =>
        TypedResults.Problem(string.Join(" ", result.Errors.Select(e => e.Description)), statusCode: StatusCodes.Status400BadRequest);
}
