using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// People, for the administration API and the People page alike: find them (searched, sorted and paged in the
/// database), create them, change their roles, lock and unlock them, issue and revoke their API keys, set and clear
/// their operator badge and PIN. Every change is audited here with the actor the caller names, whichever door it came
/// by. Each call works in a scope of its own, so a live page (whose circuit lives for hours) never holds a database
/// context across calls nor sees a stale one.
/// </summary>
internal sealed class PeopleAdministration(
    IServiceScopeFactory scopes, SessionRevocation sessions, BadgeKey badgeKey, AuditTrail audit, TimeProvider time)
{
    /// <summary>Fewer digits are too few guesses for a terminal's failure budget to protect.</summary>
    public const int MinPinDigits = 6;

    public const int MaxPinDigits = 12;

    public const int MaxUserNameLength = 256;

    public const int MaxEmailLength = 256;

    public const int MaxPasswordLength = 256;

    public const int MaxKeyNameLength = 200;

    public const int MaxBadgeLength = 256;

    /// <summary>Everyone, by user name (the API's list).</summary>
    public async Task<List<UserView>> AllAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        return await ViewsAsync(db, users, cancellationToken);
    }

    /// <summary>One page of the people whose user name or e-mail contains <see cref="PeopleQuery.Search"/>, and how many match in all.</summary>
    public async Task<PeoplePage> FindAsync(PeopleQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Identity keeps names and e-mails upper-cased invariantly beside them: the search is case-blind that way.
            var search = query.Search.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedUserName!.Contains(search) || (u.NormalizedEmail != null && u.NormalizedEmail.Contains(search)));
        }

        var total = await users.CountAsync(cancellationToken);
        users = (query.SortBy, query.Descending) switch
        {
            (PeopleSort.Email, false) => users.OrderBy(u => u.Email).ThenBy(u => u.UserName),
            (PeopleSort.Email, true) => users.OrderByDescending(u => u.Email).ThenBy(u => u.UserName),
            (PeopleSort.TwoFactor, false) => users.OrderBy(u => u.TwoFactorEnabled).ThenBy(u => u.UserName),
            (PeopleSort.TwoFactor, true) => users.OrderByDescending(u => u.TwoFactorEnabled).ThenBy(u => u.UserName),
            (PeopleSort.LockedOut, false) => users.OrderBy(u => u.LockoutEnd).ThenBy(u => u.UserName),
            (PeopleSort.LockedOut, true) => users.OrderByDescending(u => u.LockoutEnd).ThenBy(u => u.UserName),
            (_, true) => users.OrderByDescending(u => u.UserName),
            _ => users.OrderBy(u => u.UserName),
        };
        var page = await users.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 500)).ToListAsync(cancellationToken);
        return new PeoplePage(await ViewsAsync(db, page, cancellationToken), total);
    }

    /// <summary>One person with their operator credential and API keys; null when there is no such user.</summary>
    public async Task<PersonDetail?> DetailAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        if (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken) is not { } user)
        {
            return null;
        }

        var credential = await db.OperatorCredentials.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new { HasBadge = c.BadgeHash != null, HasPin = c.PinHash != null }).SingleOrDefaultAsync(cancellationToken);
        var keys = await ApiKeys(db.ApiKeys.Where(k => k.UserId == userId)).ToListAsync(cancellationToken);
        return new PersonDetail((await ViewsAsync(db, [user], cancellationToken))[0], credential?.HasBadge ?? false, credential?.HasPin ?? false, keys);
    }

    public async Task<AdminResult<UserView>> CreateAsync(AuditActor actor, NewPerson person, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        var invalid = RequestFields.Find(
                RequestFields.Required("userName", person.UserName, MaxUserNameLength),
                RequestFields.Optional("email", person.Email, MaxEmailLength),
                RequestFields.Required("password", person.Password, MaxPasswordLength))
            ?? (person.Roles is null ? null : RequestFields.FindInList("roles", person.Roles, DomioRoles.People.Count, 64));
        if (invalid is { } error)
        {
            return AdminFailure.From(error);
        }

        if (UnknownRole(person.Roles) is { } unknown)
        {
            return unknown;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser(person.UserName!) { Email = person.Email };
        var result = await users.CreateAsync(user, person.Password ?? "");
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, person.Roles ?? []);
        }

        if (!result.Succeeded)
        {
            return AdminFailure.From(result);
        }

        await audit.AppendAsync(actor, "user.created", "user", user.Id, null, new { roles = person.Roles }, cancellationToken);
        return await ViewAsync(users, user);
    }

    public async Task<AdminResult<UserView>> SetRolesAsync(AuditActor actor, string userId, string[]? roles, CancellationToken cancellationToken)
    {
        if (RequestFields.FindInList("roles", roles, DomioRoles.People.Count, 64) is { } invalid)
        {
            return AdminFailure.From(invalid);
        }

        if (UnknownRole(roles) is { } unknown)
        {
            return unknown;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AdminFailure.NotFound;
        }

        var before = await users.GetRolesAsync(user);
        var result = await users.RemoveFromRolesAsync(user, before.Except(roles!));
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, roles!.Except(before));
        }

        if (!result.Succeeded)
        {
            return AdminFailure.From(result);
        }

        // Cookies issued with the old roles end at their next security stamp check; live hub connections end now.
        await users.UpdateSecurityStampAsync(user);
        await sessions.EndUserAsync(user.Id);
        await audit.AppendAsync(actor, "user.roles-changed", "user", user.Id, new { roles = before }, new { roles }, cancellationToken);
        return await ViewAsync(users, user);
    }

    public async Task<AdminResult<bool>> LockAsync(AuditActor actor, string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AdminFailure.NotFound;
        }

        // Until unlocked: no sign-in, no API key; the stamp ends cookies and live pages, the revocation ends hub connections.
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user);
        await sessions.EndUserAsync(user.Id);
        await audit.AppendAsync(actor, "user.locked", "user", user.Id, null, null, cancellationToken);
        return true;
    }

    /// <summary>Ends a lock, by an administrator or after failed sign-ins, and the person's PIN lockouts at every terminal.</summary>
    public async Task<AdminResult<bool>> UnlockAsync(AuditActor actor, string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AdminFailure.NotFound;
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        await db.TerminalPinLockouts.Where(l => l.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await audit.AppendAsync(actor, "user.unlocked", "user", user.Id, null, null, cancellationToken);
        return true;
    }

    /// <summary>A new API key acting as the person; its secret is in the result and nowhere else, ever.</summary>
    public async Task<AdminResult<NewKey>> CreateApiKeyAsync(AuditActor actor, string userId, string? name, CancellationToken cancellationToken)
    {
        if (RequestFields.Find(RequestFields.Required("name", name, MaxKeyNameLength)) is { } invalid)
        {
            return AdminFailure.From(invalid);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return AdminFailure.NotFound;
        }

        var (keyId, key, hash) = SecretKeys.Create(ApiKeyAuthenticationHandler.Prefix);
        db.ApiKeys.Add(new ApiKey { Id = keyId, UserId = userId, Name = name!, SecretHash = hash, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(actor, "api-key.created", "api-key", keyId, null, new { userId, name }, cancellationToken);
        return new NewKey(keyId, key);
    }

    /// <summary>Every API key, revoked ones too, oldest first.</summary>
    public async Task<List<ApiKeyView>> ApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await ApiKeys(scope.ServiceProvider.GetRequiredService<SecurityDbContext>().ApiKeys).ToListAsync(cancellationToken);
    }

    public async Task<AdminResult<bool>> RevokeApiKeyAsync(AuditActor actor, string keyId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        if (await db.ApiKeys.FindAsync([keyId], cancellationToken) is not { } key)
        {
            return AdminFailure.NotFound;
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await sessions.EndCredentialAsync(SecurityClaims.ApiKeyCredential, key.Id);
        await audit.AppendAsync(actor, "api-key.revoked", "api-key", keyId, new { revoked = false }, new { revoked = true }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Sets what is given of a person's operator credential: a <see cref="OperatorCredentialChange.Badge"/> (empty clears
    /// it), a <see cref="OperatorCredentialChange.Pin"/>, or <see cref="OperatorCredentialChange.ClearPin"/>; null leaves a part as it is.
    /// </summary>
    public async Task<AdminResult<bool>> SetOperatorCredentialAsync(AuditActor actor, string userId, OperatorCredentialChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (RequestFields.Find(RequestFields.Optional("badge", change.Badge, MaxBadgeLength), RequestFields.Optional("pin", change.Pin, 64)) is { } invalid)
        {
            return AdminFailure.From(invalid);
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return AdminFailure.NotFound;
        }

        if (change.Pin is { } pin && (pin.Length is < MinPinDigits or > MaxPinDigits || !pin.All(char.IsAsciiDigit)))
        {
            return new AdminFailure(AdminProblem.PinFormat, "pin", $"A PIN is {MinPinDigits} to {MaxPinDigits} digits", []);
        }

        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var credential = await db.OperatorCredentials.FindAsync([user.Id], cancellationToken);
        if (credential is null)
        {
            credential = new OperatorCredential { UserId = user.Id };
            db.OperatorCredentials.Add(credential);
        }

        var before = new { badge = credential.BadgeHash is not null, pin = credential.PinHash is not null };
        if (change.Badge is not null)
        {
            credential.BadgeHash = change.Badge.Length == 0 ? null : badgeKey.Hash(change.Badge);
        }

        if (change.Pin is not null)
        {
            credential.PinHash = users.PasswordHasher.HashPassword(user, change.Pin);
        }
        else if (change.ClearPin)
        {
            credential.PinHash = null;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new AdminFailure(AdminProblem.BadgeTaken, "badge", "That badge belongs to someone else", []);
        }

        await audit.AppendAsync(actor, "user.operator-credential-set", "user", user.Id, before,
            new { badge = credential.BadgeHash is not null, pin = credential.PinHash is not null }, cancellationToken);
        return true;
    }

    private static IQueryable<ApiKeyView> ApiKeys(IQueryable<ApiKey> keys) =>
        keys.AsNoTracking().OrderBy(k => k.CreatedAt).Select(k => new ApiKeyView(k.Id, k.UserId, k.Name, k.CreatedAt, k.RevokedAt));

    private async Task<UserView> ViewAsync(UserManager<IdentityUser> users, IdentityUser user) =>
        View(user, Ordered(await users.GetRolesAsync(user)));

    /// <summary>The views of <paramref name="users"/>, their roles read in one query.</summary>
    private async Task<List<UserView>> ViewsAsync(SecurityDbContext db, List<IdentityUser> users, CancellationToken cancellationToken)
    {
        string[] ids = [.. users.Select(u => u.Id)];
        var roles = (await (from membership in db.UserRoles
                            join role in db.Roles on membership.RoleId equals role.Id
                            where ids.Contains(membership.UserId)
                            select new { membership.UserId, role.Name }).ToListAsync(cancellationToken))
            .ToLookup(r => r.UserId, r => r.Name!);
        return [.. users.Select(u => View(u, Ordered(roles[u.Id])))];
    }

    private UserView View(IdentityUser user, string[] roles) => new(
        user.Id, user.UserName, user.Email, roles, user.TwoFactorEnabled,
        user.LockoutEnd is { } end && end > time.GetUtcNow() ? end : null);

    /// <summary>A person's roles in the order of <see cref="DomioRoles.People"/>, so that every list shows them alike.</summary>
    private static string[] Ordered(IEnumerable<string> roles) =>
        [.. roles.OrderBy(Rank).ThenBy(r => r, StringComparer.Ordinal)];

    private static int Rank(string role)
    {
        for (var i = 0; i < DomioRoles.People.Count; i++)
        {
            if (DomioRoles.People[i] == role)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static AdminFailure? UnknownRole(string[]? roles) =>
        roles?.FirstOrDefault(r => !DomioRoles.People.Contains(r)) is { } role
            ? new AdminFailure(AdminProblem.UnknownRole, "roles", $"'{role}' is not a role ({string.Join(", ", DomioRoles.People)})", [])
            : null;
}

internal enum PeopleSort
{
    UserName,
    Email,
    TwoFactor,
    LockedOut,
}

/// <summary>What the People page asks for: a search over user names and e-mails, an order, and a page.</summary>
internal sealed record PeopleQuery(string? Search, PeopleSort SortBy, bool Descending, int Skip, int Take);

internal sealed record PeoplePage(IReadOnlyList<UserView> Users, int Total);

/// <summary>A person as administrators see them; <see cref="LockedOutUntil"/> is <see cref="DateTimeOffset.MaxValue"/> when locked until unlocked.</summary>
internal sealed record UserView(string Id, string? UserName, string? Email, string[] Roles, bool TwoFactorEnabled, DateTimeOffset? LockedOutUntil);

internal sealed record PersonDetail(UserView User, bool HasBadge, bool HasPin, IReadOnlyList<ApiKeyView> ApiKeys);

internal sealed record NewPerson(string? UserName, string? Email, string? Password, string[]? Roles);

internal sealed record OperatorCredentialChange(string? Badge, string? Pin, bool ClearPin = false);

/// <summary>A new API key or terminal: its id and its secret, shown this once.</summary>
internal sealed record NewKey(string Id, string Key);

internal sealed record ApiKeyView(string Id, string UserId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
