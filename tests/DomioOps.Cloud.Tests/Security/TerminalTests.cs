using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Security;
using DomioOps.Models.Wire;

using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

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
        var userId = await cloud.CreateUserAsync("olga-office", "Olga-Office-2026", DomioRoles.Operator, DomioRoles.Office);
        using (var badge = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = "04:A2:19:7F", pin = "432109" }, ct))
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
        var userId = await cloud.CreateUserAsync("pavel-pin", "Pavel-Pin-2026", DomioRoles.Operator);
        using (var pin = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin = "246810" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, pin.StatusCode);
        }

        var (terminal, _) = await cloud.TerminalClientAsync(admin, "saw-3", ct);
        using (terminal)
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                using var wrong = await terminal.PostAsJsonAsync("api/terminal/operator", new { userName = "pavel-pin", pin = $"00000{attempt}" }, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            using var right = await terminal.PostAsJsonAsync("api/terminal/operator", new { userName = "pavel-pin", pin = "246810" }, ct);
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

    [Fact]
    public async Task Terminal_WrongPinsRepeatedly_LeaveTheWebAccountAndApiKeysAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        const string WebPassword = "Wanda-Web-2026";
        var userId = await cloud.CreateUserAsync("wanda-web", WebPassword, DomioRoles.Operator);
        using (var pin = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin = "135790" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, pin.StatusCode);
        }

        using var keyResponse = await admin.PostAsJsonAsync($"api/security/users/{userId}/api-keys", new { name = "wanda's script" }, ct);
        var key = (await keyResponse.Content.ReadFromJsonAsync<SecureCloud.NewKey>(ct))!;
        var (first, _) = await cloud.TerminalClientAsync(admin, "press-7", ct);
        var (second, _) = await cloud.TerminalClientAsync(admin, "press-8", ct);
        using (first)
        using (second)
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                using var wrong = await first.PostAsJsonAsync("api/terminal/operator", new { userName = "wanda-web", pin = $"99999{attempt}" }, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            // Locked at that terminal only.
            using (var locked = await first.PostAsJsonAsync("api/terminal/operator", new { userName = "wanda-web", pin = "135790" }, ct))
            {
                Assert.Equal(HttpStatusCode.Locked, locked.StatusCode);
            }

            using var elsewhere = await second.PostAsJsonAsync("api/terminal/operator", new { userName = "wanda-web", pin = "135790" }, ct);
            Assert.Equal(HttpStatusCode.NoContent, elsewhere.StatusCode);
        }

        using (var web = cloud.Client())
        using (var signIn = await web.PostAsJsonAsync("api/account/sign-in", new { userName = "wanda-web", password = WebPassword }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        using var integration = cloud.Client();
        integration.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        using var machines = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, machines.StatusCode);
    }

    [Fact]
    public async Task Terminal_UnknownBadges_SpendItsBudgetAndLockIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var userId = await cloud.CreateUserAsync("bruno-badge", "Bruno-Badge-2026", DomioRoles.Operator);
        using (var badge = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = "B7:00:00:01" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, badge.StatusCode);
        }

        var (guessed, _) = await cloud.TerminalClientAsync(admin, "router-4", ct);
        var (other, _) = await cloud.TerminalClientAsync(admin, "router-5", ct);
        using (guessed)
        using (other)
        {
            // The default budget: 20 failures in 10 minutes.
            for (var attempt = 0; attempt < 20; attempt++)
            {
                using var unknown = await guessed.PostAsJsonAsync("api/terminal/operator", new { badge = $"FF:00:00:{attempt:X2}" }, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            }

            using (var refused = await guessed.PostAsJsonAsync("api/terminal/operator", new { badge = "B7:00:00:01" }, ct))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 600);
            }

            using var elsewhere = await other.PostAsJsonAsync("api/terminal/operator", new { badge = "B7:00:00:01" }, ct);
            Assert.Equal(HttpStatusCode.NoContent, elsewhere.StatusCode);
        }
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("12345")]
    public async Task OperatorCredential_PinShorterThanSixDigits_Refused400(string pin)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var userId = await cloud.CreateUserAsync($"short-pin-{pin.Length}", "Short-Pin-2026", DomioRoles.Operator);
        using var response = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A PIN is 6 to 12 digits", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorCredential_Badge_StoredAsHmacUnderTheKeyFile()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var userId = await cloud.CreateUserAsync("hanna-hash", "Hanna-Hash-2026", DomioRoles.Operator);
        const string Badge = "0451239876";
        using (var badge = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = Badge }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, badge.StatusCode);
        }

        byte[] stored;
        await using (var connection = new Npgsql.NpgsqlConnection(cloud.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var select = new Npgsql.NpgsqlCommand("""SELECT "BadgeHash" FROM domio_operator_credentials WHERE "UserId" = @id""", connection);
            select.Parameters.AddWithValue("id", userId);
            stored = (byte[])(await select.ExecuteScalarAsync(ct))!;
        }

        // Ten digits have few enough values to hash them all: a plain SHA-256 would give the badge away.
        Assert.NotEqual(SHA256.HashData(Encoding.UTF8.GetBytes(Badge)), stored);
        Assert.Equal(HMACSHA256.HashData(await File.ReadAllBytesAsync(cloud.BadgeKeyFile, ct), Encoding.UTF8.GetBytes(Badge)), stored);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cloud.BadgeKeyFile));
        }
    }

    [Fact]
    public async Task Terminal_BadgeStoredBeforeKeying_RecognisedOnceAndRehashed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var userId = await cloud.CreateUserAsync("lars-legacy", "Lars-Legacy-2026", DomioRoles.Operator);
        const string Badge = "0012345678";
        // As the previous release stored it: the plain SHA-256 of the badge number.
        await using (var connection = new Npgsql.NpgsqlConnection(cloud.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var insert = new Npgsql.NpgsqlCommand("""INSERT INTO domio_operator_credentials ("UserId", "BadgeHash") VALUES (@id, @hash)""", connection);
            insert.Parameters.AddWithValue("id", userId);
            insert.Parameters.AddWithValue("hash", SHA256.HashData(Encoding.UTF8.GetBytes(Badge)));
            await insert.ExecuteNonQueryAsync(ct);
        }

        var (terminal, _) = await cloud.TerminalClientAsync(admin, "sander-2", ct);
        using (terminal)
        using (var identified = await terminal.PostAsJsonAsync("api/terminal/operator", new { badge = Badge }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, identified.StatusCode);
        }

        await using (var connection = new Npgsql.NpgsqlConnection(cloud.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var select = new Npgsql.NpgsqlCommand("""SELECT "BadgeHash" FROM domio_operator_credentials WHERE "UserId" = @id""", connection);
            select.Parameters.AddWithValue("id", userId);
            var stored = (byte[])(await select.ExecuteScalarAsync(ct))!;
            Assert.Equal(HMACSHA256.HashData(await File.ReadAllBytesAsync(cloud.BadgeKeyFile, ct), Encoding.UTF8.GetBytes(Badge)), stored);
        }
    }

    [Fact]
    public async Task Machines_TerminalBoundToAMachineOrWorkCentre_SeesOnlyThose()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = Guid.NewGuid().ToString("N")[..8];
        string machineA = $"scope-a-{tag}", machineB = $"scope-b-{tag}", machineC = $"scope-c-{tag}", workCentre = $"line-{tag}";
        var grains = cloud.App.Services.GetRequiredService<IGrainFactory>();
        foreach (var (machine, edge) in new[] { (machineA, workCentre), (machineB, workCentre), (machineC, $"other-{tag}") })
        {
            await grains.GetGrain<IMachineGrain>(machine).Apply("plant-1", edge, [new MachineSample(1, Signal.SpindleLoad, DateTimeOffset.UtcNow, 42, null)]);
        }

        using var admin = await cloud.AdminAsync(ct);
        var (atA, _) = await cloud.TerminalClientAsync(admin, machineA, ct);
        var (atLine, _) = await cloud.TerminalClientAsync(admin, workCentre, ct);
        using (atA)
        using (atLine)
        {
            Assert.Equal([machineA], await MachineIdsAsync(atA, tag, ct));
            Assert.Equal([machineA, machineB], await MachineIdsAsync(atLine, tag, ct));
            Assert.Equal([machineA, machineB, machineC], await MachineIdsAsync(admin, tag, ct));
            using (var own = await atA.GetAsync(new Uri($"api/machines/{machineA}", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            }

            using var foreign = await atA.GetAsync(new Uri($"api/machines/{machineB}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
    }

    [Fact]
    public async Task MachineHub_TerminalBoundToAMachine_HearsOnlyOfIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = Guid.NewGuid().ToString("N")[..8];
        string mine = $"hub-mine-{tag}", other = $"hub-other-{tag}";
        using var admin = await cloud.AdminAsync(ct);
        using var created = await admin.PostAsJsonAsync("api/security/terminals", new { name = "hub terminal", workCentre = mine }, ct);
        var key = (await created.Content.ReadFromJsonAsync<SecureCloud.NewKey>(ct))!;
        var terminalCookies = new CookieContainer();
        using (var terminal = new HttpClient(new HttpClientHandler { CookieContainer = terminalCookies }) { BaseAddress = cloud.BaseAddress })
        using (var signIn = await terminal.PostAsJsonAsync("api/terminal/sign-in", new { key = key.Key }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        }

        var (atTerminal, heardByTerminal) = await ListenAsync(terminalCookies, tag, ct);
        var (atOffice, heardByOffice) = await ListenAsync(cloud.AdminCookies, tag, ct);
        await using (atTerminal)
        await using (atOffice)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            var grains = cloud.App.Services.GetRequiredService<IGrainFactory>();
            for (ulong sequence = 1; sequence <= 2; sequence++)
            {
                // The other machine changes first each time, so its news would be heard before the terminal's own.
                foreach (var machine in new[] { other, mine })
                {
                    await grains.GetGrain<IMachineGrain>(machine).Apply("plant-1", $"edge-{tag}", [new MachineSample(sequence, Signal.SpindleLoad, DateTimeOffset.UtcNow, sequence, null)]);
                }

                Assert.Equal(mine, await HeardAsync(heardByTerminal, $"the terminal, change {sequence} of its machine", deadline.Token));
            }

            // People hear of every machine.
            var office = new List<string>();
            while (office.Count < 4)
            {
                office.Add(await HeardAsync(heardByOffice, $"the office, change {office.Count + 1} of 4 (heard: {string.Join(", ", office)})", deadline.Token));
            }

            Assert.Equal([mine, mine, other, other], office.Order(StringComparer.Ordinal));
            Assert.False(heardByTerminal.TryRead(out _));
        }
    }

    /// <summary>A hub connection with <paramref name="cookies"/>, and the ids of the machines it hears of (those of this test only).</summary>
    private async Task<(HubConnection Connection, ChannelReader<string> Heard)> ListenAsync(CookieContainer cookies, string tag, CancellationToken ct)
    {
        var heard = Channel.CreateUnbounded<string>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(cloud.BaseAddress, MachineHub.Path.TrimStart('/')), options => options.Cookies = cookies)
            .Build();
        connection.On<Machine>("MachineChanged", machine =>
        {
            if (machine.Id.StartsWith("hub-", StringComparison.Ordinal) && machine.Id.EndsWith(tag, StringComparison.Ordinal))
            {
                heard.Writer.TryWrite(machine.Id);
            }
        });
        await connection.StartAsync(ct);
        await connection.InvokeAsync(nameof(MachineHub.Joined), ct);
        return (connection, heard.Reader);
    }

    /// <summary>The next machine <paramref name="heard"/>, or a failure naming <paramref name="what"/> was not heard in time.</summary>
    private static async Task<string> HeardAsync(ChannelReader<string> heard, string what, CancellationToken deadline)
    {
        try
        {
            return await heard.ReadAsync(deadline);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Not heard within 30 s: {what}.");
            throw;
        }
    }

    private static async Task<string[]> MachineIdsAsync(HttpClient client, string tag, CancellationToken ct) =>
        [.. (await client.GetFromJsonAsync<Machine[]>("api/machines", ct))!.Select(m => m.Id).Where(id => id.EndsWith(tag, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private sealed record Machine(string Id);

    private sealed record Me(string? UserName, string[] Roles, string Credential, bool TwoFactorSatisfied, string? WorkCentre, string? Operator);
}
