using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The service the administration API and the People and Terminals pages share, called as a page calls it (an actor
/// with no address: a live page's circuit has no request), on the real host's PostgreSQL.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class PeopleAdministrationTests(SecureCloud cloud)
{
    private static readonly AuditActor Page = new("person", "page-admin-id", null);

    private PeopleAdministration People => cloud.App.Services.GetRequiredService<PeopleAdministration>();

    private TerminalAdministration Terminals => cloud.App.Services.GetRequiredService<TerminalAdministration>();

    [Fact]
    public async Task FindAsync_SearchSortedDescendingSecondPage_ReturnsThatPageAndTheTotal()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = $"find{Guid.NewGuid():N}"[..12];
        foreach (var letter in new[] { "a", "b", "c", "d", "e" })
        {
            await cloud.CreateUserAsync($"{tag}-{letter}", "Find-Person-2026", letter == "c" ? [DomioRoles.Admin, DomioRoles.Operator] : [DomioRoles.Planner]);
        }

        // Upper case finds lower-case names: Identity's normalised names are searched.
        var page = await People.FindAsync(new PeopleQuery(tag.ToUpperInvariant(), PeopleSort.UserName, Descending: true, Skip: 2, Take: 2), ct);

        Assert.Equal(5, page.Total);
        Assert.Equal([$"{tag}-c", $"{tag}-b"], page.Users.Select(u => u.UserName));
        // Roles in the order of DomioRoles.People, whatever order they were given in.
        Assert.Equal([DomioRoles.Operator, DomioRoles.Admin], page.Users[0].Roles);
        Assert.Equal([DomioRoles.Planner], page.Users[1].Roles);
    }

    [Fact]
    public async Task CreateAsync_BadFields_AreRefusedOnTheFieldTheyAreAbout()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"dup{Guid.NewGuid():N}"[..12];
        Assert.True((await People.CreateAsync(Page, new NewPerson(name, null, "Duplicate-Person-1", []), ct)).Succeeded);

        var taken = (await People.CreateAsync(Page, new NewPerson(name, null, "Duplicate-Person-1", []), ct)).Failure!;
        Assert.Equal((AdminProblem.Refused, "userName"), (taken.Problem, taken.Field));
        Assert.Contains("DuplicateUserName", taken.IdentityErrors);

        var weak = (await People.CreateAsync(Page, new NewPerson(name + "w", null, "short", []), ct)).Failure!;
        Assert.Equal((AdminProblem.Refused, "password"), (weak.Problem, weak.Field));
        Assert.All(weak.IdentityErrors, code => Assert.StartsWith("Password", code, StringComparison.Ordinal));

        var missing = (await People.CreateAsync(Page, new NewPerson(null, null, "Missing-Name-2026", []), ct)).Failure!;
        Assert.Equal((AdminProblem.Missing, "userName", "userName is required"), (missing.Problem, missing.Field, missing.Message));

        var role = (await People.CreateAsync(Page, new NewPerson(name + "r", null, "Unknown-Role-2026", ["Boss"]), ct)).Failure!;
        Assert.Equal((AdminProblem.UnknownRole, "roles"), (role.Problem, role.Field));
    }

    [Fact]
    public async Task Changes_MadeFromAPage_AreAuditedWithItsActorAndTakeEffect()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"page{Guid.NewGuid():N}"[..12];
        var created = (await People.CreateAsync(Page, new NewPerson(name, null, "Page-Person-2026", [DomioRoles.Operator]), ct)).Value!;
        Assert.Equal([DomioRoles.Operator], created.Roles);

        var changed = (await People.SetRolesAsync(Page, created.Id, [DomioRoles.Planner, DomioRoles.Operator], ct)).Value!;
        Assert.Equal([DomioRoles.Operator, DomioRoles.Planner], changed.Roles);

        Assert.True((await People.LockAsync(Page, created.Id, ct)).Succeeded);
        Assert.Equal(DateTimeOffset.MaxValue, (await People.DetailAsync(created.Id, ct))!.User.LockedOutUntil);
        Assert.True((await People.UnlockAsync(Page, created.Id, ct)).Succeeded);
        Assert.Null((await People.DetailAsync(created.Id, ct))!.User.LockedOutUntil);

        var key = (await People.CreateApiKeyAsync(Page, created.Id, "ERP", ct)).Value!;
        Assert.StartsWith($"{ApiKeyAuthenticationHandler.Prefix}_", key.Key, StringComparison.Ordinal);
        using (var integration = cloud.Client())
        {
            // The key works as the person (a planner reads the machines), until revoked.
            integration.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
            using (var before = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            Assert.True((await People.RevokeApiKeyAsync(Page, key.Id, ct)).Succeeded);
            using var after = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        var detail = (await People.DetailAsync(created.Id, ct))!;
        var listed = Assert.Single(detail.ApiKeys);
        Assert.Equal((key.Id, "ERP"), (listed.Id, listed.Name));
        Assert.NotNull(listed.RevokedAt);

        var rows = await cloud.App.Services.GetRequiredService<AuditTrail>().ReadAsync(0, 100_000, null, ct)
            .Where(r => r.EntityId == created.Id || r.EntityId == key.Id).ToListAsync(ct);
        Assert.Equal(["user.created", "user.roles-changed", "user.locked", "user.unlocked", "api-key.created", "api-key.revoked"], rows.Select(r => r.Action));
        Assert.All(rows, r => Assert.Equal(("person", "page-admin-id", (string?)null), (r.ActorKind, r.ActorId, r.Address)));
        Assert.Equal("""{"roles":["Operator"]}""", rows[1].Before);
        // What was asked, as it was asked.
        Assert.Equal("""{"roles":["Planner","Operator"]}""", rows[1].After);
        Assert.Equal($$"""{"userId":"{{created.Id}}","name":"ERP"}""", rows[4].After);
    }

    [Fact]
    public async Task SetOperatorCredentialAsync_SetThenClearPin_KeepsTheBadge()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await cloud.CreateUserAsync($"pin{Guid.NewGuid():N}"[..12], "Pin-Person-2026", DomioRoles.Operator);
        var badge = $"BADGE-{Guid.NewGuid():N}";
        Assert.True((await People.SetOperatorCredentialAsync(Page, userId, new OperatorCredentialChange(badge, "246813"), ct)).Succeeded);
        Assert.Equal((true, true), await CredentialAsync(userId, ct));

        Assert.True((await People.SetOperatorCredentialAsync(Page, userId, new OperatorCredentialChange(null, null, ClearPin: true), ct)).Succeeded);
        Assert.Equal((true, false), await CredentialAsync(userId, ct));

        Assert.True((await People.SetOperatorCredentialAsync(Page, userId, new OperatorCredentialChange("", null), ct)).Succeeded);
        Assert.Equal((false, false), await CredentialAsync(userId, ct));

        var rows = await cloud.App.Services.GetRequiredService<AuditTrail>().ReadAsync(0, 100_000, userId, ct).ToListAsync(ct);
        Assert.Equal(
            [("""{"badge":false,"pin":false}""", """{"badge":true,"pin":true}"""), ("""{"badge":true,"pin":true}""", """{"badge":true,"pin":false}"""), ("""{"badge":true,"pin":false}""", """{"badge":false,"pin":false}""")],
            rows.Where(r => r.Action == "user.operator-credential-set").Select(r => (r.Before, r.After)));
    }

    [Fact]
    public async Task SetOperatorCredentialAsync_BadPinOrSomeoneElsesBadge_IsRefusedOnThatField()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await cloud.CreateUserAsync($"bdg{Guid.NewGuid():N}"[..12], "Badge-Person-2026", DomioRoles.Operator);
        var second = await cloud.CreateUserAsync($"bdg{Guid.NewGuid():N}"[..12], "Badge-Person-2026", DomioRoles.Operator);
        var badge = $"BADGE-{Guid.NewGuid():N}";
        Assert.True((await People.SetOperatorCredentialAsync(Page, first, new OperatorCredentialChange(badge, null), ct)).Succeeded);

        var taken = (await People.SetOperatorCredentialAsync(Page, second, new OperatorCredentialChange(badge, null), ct)).Failure!;
        Assert.Equal((AdminProblem.BadgeTaken, "badge", "That badge belongs to someone else"), (taken.Problem, taken.Field, taken.Message));
        var pin = (await People.SetOperatorCredentialAsync(Page, second, new OperatorCredentialChange(null, "12ab56"), ct)).Failure!;
        Assert.Equal((AdminProblem.PinFormat, "pin", "A PIN is 6 to 12 digits"), (pin.Problem, pin.Field, pin.Message));
        var nobody = (await People.SetOperatorCredentialAsync(Page, "no-such-user", new OperatorCredentialChange(null, "123456"), ct)).Failure!;
        Assert.Equal(AdminProblem.NotFound, nobody.Problem);
    }

    [Fact]
    public async Task Terminals_CreateListRevoke_ListedWithTheirStateByTheServiceAndTheApi()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = (await Terminals.CreateAsync(Page, "Saw 7 terminal", "saw-7", ct)).Value!;
        Assert.StartsWith($"{TerminalSession.KeyPrefix}_", key.Key, StringComparison.Ordinal);
        var listed = Assert.Single(await Terminals.AllAsync(ct), t => t.Id == key.Id);
        Assert.Equal(("Saw 7 terminal", "saw-7", (DateTimeOffset?)null), (listed.Name, listed.WorkCentre, listed.RevokedAt));

        Assert.True((await Terminals.RevokeAsync(Page, key.Id, ct)).Succeeded);
        Assert.NotNull(Assert.Single(await Terminals.AllAsync(ct), t => t.Id == key.Id).RevokedAt);
        Assert.Equal(AdminProblem.NotFound, (await Terminals.RevokeAsync(Page, "no-such-terminal", ct)).Failure!.Problem);
        var bad = (await Terminals.CreateAsync(Page, "Bad", "saw 7/x", ct)).Failure!;
        Assert.Equal((AdminProblem.WorkCentreFormat, "workCentre"), (bad.Problem, bad.Field));

        using var admin = await cloud.AdminAsync(ct);
        var fromApi = (await admin.GetFromJsonAsync<List<TerminalView>>("api/security/terminals", ct))!;
        var row = Assert.Single(fromApi, t => t.Id == key.Id);
        Assert.Equal(("Saw 7 terminal", "saw-7"), (row.Name, row.WorkCentre));
        Assert.NotNull(row.RevokedAt);
    }

    private async Task<(bool Badge, bool Pin)> CredentialAsync(string userId, CancellationToken ct)
    {
        var detail = (await People.DetailAsync(userId, ct))!;
        return (detail.HasBadge, detail.HasPin);
    }
}
