using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Storage;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>The hash-chained audit trail on its own databases (so tampering here touches nothing else), and as the API writes it.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class AuditTrailTests(SecureCloud cloud)
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Verify_UntouchedChain_IsIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        var (trail, verifier, _) = await ChainAsync("audit_intact", 5, ct);
        var progress = new List<long>();
        var result = await verifier.VerifyAsync(progress.Add, ct);
        Assert.True(result.Intact, string.Join("; ", result.Problems));
        Assert.Equal(5, result.Rows);
        Assert.Equal([5L], progress);
        var rows = await trail.ReadAsync(0, 100, null, ct).ToListAsync(ct);
        Assert.Equal([1L, 2, 3, 4, 5], rows.Select(r => r.Seq));
        Assert.Equal(AuditRecord.Genesis, rows[0].PrevHash);
        Assert.Equal(rows[1].Hash, rows[2].PrevHash);
    }

    [Fact]
    public async Task Verify_ModifiedRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, verifier, connectionString) = await ChainAsync("audit_modified", 4, ct);
        await TamperAsync(connectionString, """UPDATE domio_audit SET after = '{"roles":["Admin"]}' WHERE seq = 2""", ct);
        var result = await verifier.VerifyAsync(null, ct);
        Assert.False(result.Intact);
        Assert.Equal(["row 2 was modified: its content does not match its hash"], result.Problems);
    }

    [Fact]
    public async Task Verify_ModifiedRowWithRecomputedHash_BreaksTheNextLink()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, verifier, connectionString) = await ChainAsync("audit_rehashed", 4, ct);
        // A forger who also rewrites the row's own hash still cannot fix the row after it without rewriting the rest.
        await TamperAsync(connectionString, "UPDATE domio_audit SET actor_id = 'someone-else', hash = sha256(hash) WHERE seq = 2", ct);
        var result = await verifier.VerifyAsync(null, ct);
        Assert.Contains("row 3 does not link to the row before it", result.Problems);
    }

    [Fact]
    public async Task Verify_DeletedRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, verifier, connectionString) = await ChainAsync("audit_deleted", 4, ct);
        await TamperAsync(connectionString, "DELETE FROM domio_audit WHERE seq = 2", ct);
        var result = await verifier.VerifyAsync(null, ct);
        Assert.Contains("rows 2..2 are missing (deleted)", result.Problems);
        Assert.Contains("row 3 does not link to the row before it", result.Problems);
    }

    [Fact]
    public async Task Verify_DeletedLastRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, verifier, connectionString) = await ChainAsync("audit_tail", 4, ct);
        await TamperAsync(connectionString, "DELETE FROM domio_audit WHERE seq = 4", ct);
        var result = await verifier.VerifyAsync(null, ct);
        Assert.Equal(["rows 4..4 at the end are missing (deleted)"], result.Problems);
    }

    [Fact]
    public async Task AuditTable_UpdateOrDelete_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, _, connectionString) = await ChainAsync("audit_refused", 1, ct);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (string sql in new[] { "UPDATE domio_audit SET action = 'x'", "DELETE FROM domio_audit", "TRUNCATE domio_audit" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        }
    }

    [Fact]
    public async Task AuditVerifyCommand_TamperedDatabase_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, _, connectionString) = await ChainAsync("audit_command", 3, ct);
        Assert.Equal(0, await AuditExtensions.RunAuditCommandAsync(["audit", "verify", $"--Silo:ConnectionString={connectionString}"]));
        await TamperAsync(connectionString, "UPDATE domio_audit SET at = at + interval '1 second' WHERE seq = 1", ct);
        Assert.Equal(2, await AuditExtensions.RunAuditCommandAsync(["audit", "verify", $"--Silo:ConnectionString={connectionString}"]));
        Assert.Null(await AuditExtensions.RunAuditCommandAsync(["--urls=http://127.0.0.1:1"]));
    }

    [Fact]
    public async Task AuditApi_RoleChangeByAdmin_IsRecordedWithWhoAndBeforeAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        string adminId = (await admin.GetFromJsonAsync<List<User>>("api/security/users", ct))!.Single(u => u.UserName == "admin").Id;
        using var created = await admin.PostAsJsonAsync("api/security/users", new { userName = "audited-person", password = "Audited-Person-1", roles = new[] { "Operator" } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string userId = (await created.Content.ReadFromJsonAsync<User>(ct))!.Id;
        using var changed = await admin.PutAsJsonAsync($"api/security/users/{userId}/roles", new { roles = new[] { "Maintenance" } }, ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var rows = (await admin.GetFromJsonAsync<List<AuditRecord>>("api/audit?limit=1000", ct))!;
        var change = rows.Last(r => r.Action == "user.roles-changed" && r.EntityId == userId);
        Assert.Equal("person", change.ActorKind);
        Assert.Equal(adminId, change.ActorId);
        Assert.Equal("127.0.0.1", change.Address);
        Assert.Equal("""{"roles":["Operator"]}""", change.Before);
        Assert.Equal("""{"roles":["Maintenance"]}""", change.After);
        Assert.Contains(rows, r => r.Action == "user.created" && r.EntityId == userId && r.ActorId == adminId);

        using var verify = await admin.PostAsync(new Uri("api/audit/verify", UriKind.Relative), null, ct);
        var result = await verify.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(result.GetProperty("intact").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task AuditNet_ChangeThroughAnEndpointWithoutItsOwnAudit_IsRecordedByRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, userId, keyId) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Admin, ct);
        using (integration)
        {
            // Issuing edge credentials is the edge registry's endpoint: it writes no audit row itself.
            using var issued = await integration.PostAsync(new Uri("api/edges/plant-audit/edge-audit/credentials", UriKind.Relative), null, ct);
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            string password = (await issued.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("password").GetString()!;

            var rows = (await admin.GetFromJsonAsync<List<AuditRecord>>("api/audit?limit=1000", ct))!;
            var row = Assert.Single(rows, r => r.Action == "POST /api/edges/{site}/{edge}/credentials" && r.EntityId == "site=plant-audit;edge=edge-audit");
            Assert.Equal(($"api-key:{keyId}", userId), (row.ActorKind, row.ActorId));
            Assert.DoesNotContain(rows, r => (r.After ?? "").Contains(password, StringComparison.Ordinal));
        }
    }

    private async Task<(AuditTrail Trail, AuditVerifier Verifier, string ConnectionString)> ChainAsync(string database, int rows, CancellationToken ct)
    {
        string connectionString = await cloud.Postgres.CreateDatabaseAsync(database, ct);
        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        var options = Options.Create(new SiloOptions { ConnectionString = connectionString });
        var trail = new AuditTrail(options, time, NullLogger<AuditTrail>.Instance);
        for (int i = 1; i <= rows; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1.2345678));
            await trail.AppendAsync(new AuditActor("person", $"user-{i}", "127.0.0.1"), "user.roles-changed", "user", $"user-{i}",
                new { roles = new[] { DomioRoles.Operator } }, new { roles = new[] { DomioRoles.Planner } }, ct);
        }

        return (trail, new AuditVerifier(options), connectionString);
    }

    /// <summary>What a database superuser can still do: switch the guard triggers off and edit.</summary>
    private static async Task TamperAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"ALTER TABLE domio_audit DISABLE TRIGGER USER; {sql}; ALTER TABLE domio_audit ENABLE TRIGGER USER;", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record User(string Id, string UserName);
}
