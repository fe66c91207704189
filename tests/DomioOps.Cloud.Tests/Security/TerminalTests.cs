using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Security;

[Collection(SecureCloudGroup.Name)]
public sealed class TerminalTests(SecureCloud cloud)
{
    [Fact]
    public async Task Terminal_OperatorIdentifiesWithBadge_StaysATerminalBoundToItsWorkCentre()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        // Even an office person at a terminal gets no office reach through it.
        string userId = await cloud.CreateUserAsync("olga-office", "Olga-Office-2026", DomioRoles.Operator, DomioRoles.Office);
        using (var badge = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = "04:A2:19:7F", pin = "4321" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, badge.StatusCode);
        }

        var (terminal, _) = await cloud.TerminalClientAsync(admin, "edgebander-2", ct);
        using (terminal)
        {
            using (var unknown = await terminal.PostAsJsonAsync("api/terminal/operator", new { badge = "00:00:00:00" }, ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            }

            using (var identified = await terminal.PostAsJsonAsync("api/terminal/operator", new { badge = "04:A2:19:7F" }, ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, identified.StatusCode);
            }

            var me = (await terminal.GetFromJsonAsync<Me>("api/account/me", ct))!;
            Assert.Equal(("terminal", "edgebander-2", "olga-office"), (me.Credential, me.WorkCentre, me.Operator));
            Assert.Equal([DomioRoles.Terminal], me.Roles);
            using var office = await terminal.GetAsync(new Uri("api/security/users", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Forbidden, office.StatusCode);
            using var machines = await terminal.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, machines.StatusCode);
        }
    }

    [Fact]
    public async Task Terminal_WrongPinRepeatedly_LocksTheOperator()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        string userId = await cloud.CreateUserAsync("pavel-pin", "Pavel-Pin-2026", DomioRoles.Operator);
        using (var pin = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin = "2468" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, pin.StatusCode);
        }

        var (terminal, _) = await cloud.TerminalClientAsync(admin, "saw-3", ct);
        using (terminal)
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                using var wrong = await terminal.PostAsJsonAsync("api/terminal/operator", new { userName = "pavel-pin", pin = $"000{attempt}" }, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            using var right = await terminal.PostAsJsonAsync("api/terminal/operator", new { userName = "pavel-pin", pin = "2468" }, ct);
            Assert.Equal(HttpStatusCode.Locked, right.StatusCode);
        }
    }

    [Fact]
    public async Task Terminal_Revoked_SessionEndsAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (terminal, terminalId) = await cloud.TerminalClientAsync(admin, "cnc-1", ct);
        using (terminal)
        {
            using (var before = await terminal.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            using (var revoke = await admin.DeleteAsync(new Uri($"api/security/terminals/{terminalId}", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            }

            using var after = await terminal.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }
    }

    private sealed record Me(string? UserName, string[] Roles, string Credential, bool TwoFactorSatisfied, string? WorkCentre, string? Operator);
}
