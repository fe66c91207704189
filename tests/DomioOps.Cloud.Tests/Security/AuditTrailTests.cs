using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Storage;
using DomioOps.Cloud.Tests.Cluster;
using DomioOps.Testing;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The keyed audit trail on its own databases (so tampering here touches nothing else), anchored by its key file and its
/// checkpoints, and as the API writes it. The tampering is done as the database superuser, with the guard triggers off:
/// the worst that access to the database (but not to the key or the checkpoint folder) allows.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class AuditTrailTests(SecureCloud cloud) : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("domioops-audit-test-");

    [Fact]
    public async Task Verify_UntouchedChain_IsIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_intact", 5, ct);
        var progress = new List<long>();
        var result = await chain.Verifier.VerifyAsync(progress.Add, ct);
        Assert.True(result.Intact, string.Join("; ", result.Problems));
        Assert.Equal(5, result.Rows);
        Assert.Null(result.FirstBrokenSeq);
        Assert.Equal([5L], progress);
        var rows = await chain.Trail.ReadAsync(0, 100, null, ct).ToListAsync(ct);
        Assert.Equal([1L, 2, 3, 4, 5], rows.Select(r => r.Seq));
        Assert.Equal(AuditRecord.Genesis, rows[0].PrevHash);
        Assert.Equal(rows[1].Hash, rows[2].PrevHash);
    }

    [Fact]
    public async Task Verify_ModifiedRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_modified", 4, ct);
        await TamperAsync(chain.ConnectionString, """UPDATE domio_audit SET after = '{"roles":["Admin"]}' WHERE seq = 2""", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.False(result.Intact);
        Assert.Equal(["row 2 was modified: its content does not match its hash"], result.Problems);
        Assert.Equal(2, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_ModifiedRowWithRecomputedHash_BreaksTheNextLink()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_rehashed", 4, ct);
        // A forger who also rewrites the row's own hash still cannot fix the row after it without rewriting the rest.
        await TamperAsync(chain.ConnectionString, "UPDATE domio_audit SET actor_id = 'someone-else', hash = sha256(hash) WHERE seq = 2", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Contains("row 3 does not link to the row before it", result.Problems);
        Assert.Equal(2, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_FullChainRewrittenWithPlainSha256_IsBrokenFromTheRewrittenRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_rewritten_sha256", 5, ct);
        // Every later row re-linked and re-hashed, the head moved: with plain SHA-256 this chain verified as intact.
        await RewriteAsync(chain.ConnectionString, 2, 5, """{"roles":["Admin"]}""", key: null, ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(
        [
            "row 2 was modified: its content does not match its hash",
            "row 3 was modified: its content does not match its hash",
            "row 4 was modified: its content does not match its hash",
            "row 5 was modified: its content does not match its hash",
        ], result.Problems);
        Assert.Equal(2, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_FullChainRewrittenWithAnotherKey_IsBrokenFromTheRewrittenRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_rewritten_key", 4, ct);
        var guessed = new AuditKey(new byte[32]);
        await RewriteAsync(chain.ConnectionString, 3, 4, """{"roles":["Admin"]}""", guessed, ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(["row 3 was modified: its content does not match its hash", "row 4 was modified: its content does not match its hash"], result.Problems);
        Assert.Equal(3, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_ChainRewrittenAsIfNeverKeyed_IsBrokenByTheCheckpointsBoundary()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_downgraded", 3, ct);
        // Move the keyed boundary past the end, then re-chain everything with plain SHA-256 as the old rule allows.
        await RewriteAsync(chain.ConnectionString, 2, 3, """{"roles":["Admin"]}""", key: null, ct);
        await TamperAsync(chain.ConnectionString,
            "ALTER TABLE domio_audit_keyed DISABLE TRIGGER USER; UPDATE domio_audit_keyed SET from_seq = 4; ALTER TABLE domio_audit_keyed ENABLE TRIGGER USER", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(
        [
            "the database says rows from 4 are keyed, checkpoint audit-000000000000.checkpoint says from 1: the boundary was moved",
            "row 2 was modified: its content does not match its hash",
            "row 3 was modified: its content does not match its hash",
        ], result.Problems);
        Assert.Equal(2, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Migration_RowsWrittenBeforeTheKey_VerifyWithSha256AndAreAnchoredByTheStartCheckpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        // A database of the previous build (migrations 1..6) holding two rows chained with plain SHA-256.
        var connectionString = await cloud.Postgres.CreateDatabaseAsync("audit_legacy", ct);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await ExecuteAsync(connection, "CREATE TABLE domioops_schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", ct);
            foreach (var migration in PostgresSchema.Migrations.Where(m => m.Version <= 6))
            {
                await ExecuteAsync(connection, migration.Sql, ct);
                await ExecuteAsync(connection, $"INSERT INTO domioops_schema_version (version, name) VALUES ({migration.Version}, '{migration.Name}')", ct);
            }

            var prev = AuditRecord.Genesis;
            foreach (var (seq, at) in new[] { (1L, new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.Zero)), (2L, new DateTimeOffset(2026, 11, 25, 7, 30, 0, TimeSpan.Zero)) })
            {
                var hash = AuditRecord.ComputeHash(null, prev, seq, at, "person", "old", null, "user.created", "user", $"old-{seq}", null, "{}");
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO domio_audit (seq, at, actor_kind, actor_id, action, entity_type, entity_id, after, prev_hash, hash)
                    VALUES (@seq, @at, 'person', 'old', 'user.created', 'user', @entity, '{}', @prev, @hash);
                    INSERT INTO domio_audit_head (id, seq, hash) VALUES (1, @seq, @hash) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash
                    """, connection);
                insert.Parameters.AddWithValue("seq", seq);
                insert.Parameters.AddWithValue("at", at);
                insert.Parameters.AddWithValue("entity", $"old-{seq}");
                insert.Parameters.AddWithValue("prev", prev);
                insert.Parameters.AddWithValue("hash", hash);
                await insert.ExecuteNonQueryAsync(ct);
                prev = hash;
            }
        }

        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        var chain = await AnchoredAsync(connectionString, "audit_legacy", 2, ct);

        var head = await chain.Trail.ReadHeadAsync(ct);
        Assert.Equal((4L, 3L), (head.Seq, head.KeyedFrom));
        var intact = await chain.Verifier.VerifyAsync(null, ct);
        Assert.True(intact.Intact, string.Join("; ", intact.Problems));
        Assert.Equal(4, intact.Rows);

        // The old rows can still be re-chained with SHA-256; the start's checkpoint (row 2) and row 3's HMAC give it away.
        await RewriteAsync(connectionString, 1, 2, """{"roles":["Admin"]}""", key: null, ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(
        [
            "rows 1..2 disagree with checkpoint audit-000000000002.checkpoint of 2026-11-25 08:00:00Z: row 2's hash is not the one exported then",
            "row 3 does not link to the row before it",
        ], result.Problems);
        Assert.Equal(1, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Checkpoint_Written_IsANewReadOnlyFileSignedWithTheKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_checkpoint_file", 2, ct);
        var written = await chain.Writer.WriteAsync(ct);
        Assert.NotNull(written);
        var path = Path.Combine(chain.Options.CheckpointDirectory, "audit-000000000002.checkpoint");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        }

        Assert.Equal(["audit-000000000000.checkpoint", "audit-000000000002.checkpoint"],
            Directory.GetFiles(chain.Options.CheckpointDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var json = JsonDocument.Parse(File.ReadAllBytes(path)).RootElement;
        var row2 = (await chain.Trail.ReadAsync(1, 1, null, ct).ToListAsync(ct)).Single();
        Assert.Equal(2, json.GetProperty("seq").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(row2.Hash), json.GetProperty("hash").GetString());
        Assert.Equal(1, json.GetProperty("keyedFrom").GetInt64());
        Assert.Equal("2026-11-25T08:00:02.4691356Z", json.GetProperty("at").GetString());

        // The head has not moved: nothing new, and the file is never replaced.
        var before = File.ReadAllBytes(path);
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(await chain.Writer.WriteAsync(ct));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Verify_TailCutBelowTheNewestCheckpoint_IsBrokenFromTheFirstCutRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_cut", 5, ct);
        await chain.Writer.WriteAsync(ct);
        // Rows 4 and 5 deleted and the head moved back to row 3: consistent in the database, not with the checkpoint.
        await TamperAsync(chain.ConnectionString,
            "DELETE FROM domio_audit WHERE seq > 3; UPDATE domio_audit_head SET seq = 3, hash = (SELECT hash FROM domio_audit WHERE seq = 3)", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(["rows 4..5 are missing (deleted): checkpoint audit-000000000005.checkpoint of 2026-11-25 08:00:06Z records the chain up to row 5"], result.Problems);
        Assert.Equal(4, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_ChainDisagreesWithACheckpointHead_IsBrokenAfterTheLastAgreeingCheckpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_disagree", 3, ct);
        await chain.Writer.WriteAsync(ct);
        await AppendAsync(chain, 2, "first", ct);
        await chain.Writer.WriteAsync(ct);
        // Rows 4 and 5 replaced by others that the application itself wrote (a restored backup, or a silo that holds the key).
        await TamperAsync(chain.ConnectionString,
            "DELETE FROM domio_audit WHERE seq > 3; UPDATE domio_audit_head SET seq = 3, hash = (SELECT hash FROM domio_audit WHERE seq = 3)", ct);
        await AppendAsync(chain, 2, "second", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(["rows 4..5 disagree with checkpoint audit-000000000005.checkpoint of 2026-11-25 08:00:06Z: row 5's hash is not the one exported then"], result.Problems);
        Assert.Equal(4, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_CheckpointSignedWithAnotherKey_IsReported()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_forged_checkpoint", 2, ct);
        var forged = new AuditCheckpoint(7, new byte[32], 1, _time.GetUtcNow()).ToFile(new AuditKey(new byte[32]));
        File.WriteAllBytes(Path.Combine(chain.Options.CheckpointDirectory, "audit-000000000007.checkpoint"), forged);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(["checkpoint audit-000000000007.checkpoint is not signed with the audit key (forged, damaged, or written under another key)"], result.Problems);
        Assert.Null(result.FirstBrokenSeq);
    }

    [Fact]
    public async Task CheckpointWriterStart_KeyVerifiesNoCheckpoint_FailsNamingTheKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_new_key", 1, ct);
        // The key file lost and created again: a different key, under which none of the chain's checkpoints verifies.
        File.Delete(chain.Options.KeyPath);
        var key = AuditKey.Load(chain.Options.KeyPath, create: true);
        var options = Options.Create(chain.Options);
        var writer = new AuditCheckpointWriter(chain.Trail, new AuditCheckpoints(options, key, _time), options, _time, NullLogger<AuditCheckpointWriter>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.StartAsync(ct));
        Assert.Equal($"Audit:KeyPath: the key in '{chain.Options.KeyPath}' verifies none of the 1 checkpoints in '{chain.Options.CheckpointDirectory}': "
            + "it is not the key this audit chain was written with. Restore the right key file (a new key would leave every existing row unverifiable).", error.Message);
    }

    [Fact]
    public async Task HostStart_KeyFileMissing_FailsNamingTheKeyAndTheFix()
    {
        var ct = TestContext.Current.CancellationToken;
        var missing = Path.Combine(_folder.FullName, "missing.key");
        var app = cloud.BuildSilo(FreePort.Next(), new Dictionary<string, string> { ["Audit:KeyPath"] = missing, ["Audit:CreateKey"] = "false" });
        OptionsValidationException error;
        try
        {
            error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(ct));
        }
        finally
        {
            await SiloHosts.AbandonAsync(app);
        }

        Assert.Equal([$"Audit:KeyPath: the audit key file '{missing}' does not exist. Restore it from your backup (without it the chain cannot be verified), "
            + "or, for a new installation, set Audit:CreateKey=true once to generate it."], error.Failures);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Verify_DeletedRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_deleted", 4, ct);
        await TamperAsync(chain.ConnectionString, "DELETE FROM domio_audit WHERE seq = 2", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Contains("rows 2..2 are missing (deleted)", result.Problems);
        Assert.Contains("row 3 does not link to the row before it", result.Problems);
        Assert.Equal(2, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_DeletedLastRow_IsDetected()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_tail", 4, ct);
        await TamperAsync(chain.ConnectionString, "DELETE FROM domio_audit WHERE seq = 4", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);
        Assert.Equal(["rows 4..4 at the end are missing (deleted)"], result.Problems);
    }

    [Fact]
    public async Task AuditTable_UpdateOrDelete_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_refused", 1, ct);
        await using var connection = new NpgsqlConnection(chain.ConnectionString);
        await connection.OpenAsync(ct);
        foreach (var sql in new[] { "UPDATE domio_audit SET action = 'x'", "DELETE FROM domio_audit", "TRUNCATE domio_audit", "UPDATE domio_audit_keyed SET from_seq = 9" })
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
        var chain = await ChainAsync("audit_command", 3, ct);
        Assert.Equal(0, await AuditExtensions.RunAuditCommandAsync(chain.CommandArguments));
        await TamperAsync(chain.ConnectionString, "UPDATE domio_audit SET at = at + interval '1 second' WHERE seq = 1", ct);
        Assert.Equal(2, await AuditExtensions.RunAuditCommandAsync(chain.CommandArguments));
        Assert.Equal(1, await AuditExtensions.RunAuditCommandAsync([.. chain.CommandArguments, $"--Audit:KeyPath={Path.Combine(_folder.FullName, "missing.key")}"]));
        Assert.Null(await AuditExtensions.RunAuditCommandAsync(["--urls=http://127.0.0.1:1"]));
    }

    [Fact]
    public async Task AuditApi_RoleChangeByAdmin_IsRecordedWithWhoAndBeforeAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var adminId = (await admin.GetFromJsonAsync<List<User>>("api/security/users", ct))!.Single(u => u.UserName == "admin").Id;
        using var created = await admin.PostAsJsonAsync("api/security/users", new { userName = "audited-person", password = "Audited-Person-1", roles = new[] { "Operator" } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var userId = (await created.Content.ReadFromJsonAsync<User>(ct))!.Id;
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
        // Every endpoint of the host audits its own changes today: the net is given one that does not, as the pipeline
        // hands it a request, by an integration (an API key) whose user changed something through it.
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/api/things/{site}/{thing}"), 0, EndpointMetadataCollection.Empty, "things");
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.SetEndpoint(endpoint);
        http.Request.RouteValues["site"] = "plant-audit";
        http.Request.RouteValues["thing"] = "thing-audit";
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        var userId = $"net-{Guid.NewGuid():N}";
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new(ClaimTypes.NameIdentifier, userId), new(SecurityClaims.CredentialKind, SecurityClaims.ApiKeyCredential), new(SecurityClaims.CredentialId, "key-1")], "test"));
        var trail = cloud.App.Services.GetRequiredService<AuditTrail>();

        await new ChangeAuditMiddleware(context => { context.Response.StatusCode = StatusCodes.Status200OK; return Task.CompletedTask; }, trail).InvokeAsync(http);

        var row = Assert.Single(await trail.ReadAsync(0, 100_000, userId, ct).ToListAsync(ct));
        Assert.Equal(("POST /api/things/{site}/{thing}", "endpoint", "site=plant-audit;thing=thing-audit"), (row.Action, row.EntityType, row.EntityId));
        Assert.Equal(("api-key:key-1", userId, "127.0.0.1"), (row.ActorKind, row.ActorId, row.Address));
        Assert.Equal("""{"status":200}""", row.After);
    }

    private async Task<Chain> ChainAsync(string database, int rows, CancellationToken ct)
    {
        var connectionString = await cloud.Postgres.CreateDatabaseAsync(database, ct);
        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        return await AnchoredAsync(connectionString, database, rows, ct);
    }

    /// <summary>The trail, verifier and checkpoint writer of a migrated database, a key file and a checkpoint folder of its own, the start's checkpoint written and <paramref name="rows"/> appended.</summary>
    private async Task<Chain> AnchoredAsync(string connectionString, string name, int rows, CancellationToken ct)
    {
        var directory = Path.Combine(_folder.FullName, name);
        var audit = new AuditOptions { KeyPath = Path.Combine(directory, "audit.key"), CreateKey = true, CheckpointDirectory = Path.Combine(directory, "checkpoints") };
        var key = AuditKey.Load(audit.KeyPath, create: true);
        var options = Options.Create(new SiloOptions { ConnectionString = connectionString });
        var trail = new AuditTrail(options, key, _time, NullLogger<AuditTrail>.Instance);
        var checkpoints = new AuditCheckpoints(Options.Create(audit), key, _time);
        var writer = new AuditCheckpointWriter(trail, checkpoints, Options.Create(audit), _time, NullLogger<AuditCheckpointWriter>.Instance);
        var chain = new Chain(trail, new AuditVerifier(options, key, checkpoints), writer, checkpoints, audit, connectionString);
        await writer.StartAsync(ct);
        await writer.StopAsync(ct);
        await AppendAsync(chain, rows, "user", ct);
        return chain;
    }

    private async Task AppendAsync(Chain chain, int rows, string who, CancellationToken ct)
    {
        for (var i = 1; i <= rows; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1.2345678));
            await chain.Trail.AppendAsync(new AuditActor("person", $"{who}-{i}", "127.0.0.1"), "user.roles-changed", "user", $"{who}-{i}",
                new { roles = new[] { DomioRoles.Operator } }, new { roles = new[] { DomioRoles.Planner } }, ct);
        }
    }

    /// <summary>What a database superuser can still do: switch the guard triggers off and edit.</summary>
    private static async Task TamperAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"ALTER TABLE domio_audit DISABLE TRIGGER USER; {sql}; ALTER TABLE domio_audit ENABLE TRIGGER USER;", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The full-chain rewrite: row <paramref name="from"/> gets <paramref name="after"/>, and it and every row up to
    /// <paramref name="to"/> are re-linked and re-hashed, with <paramref name="key"/> (plain SHA-256 when null), as
    /// someone with write access to the database but not the audit key would; the head follows when the last row moved.
    /// </summary>
    private static async Task RewriteAsync(string connectionString, long from, long to, string after, AuditKey? key, CancellationToken ct)
    {
        var rows = new List<AuditRecord>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var read = new NpgsqlCommand(
            "SELECT seq, at, actor_kind, actor_id, address, action, entity_type, entity_id, before, after, prev_hash, hash FROM domio_audit ORDER BY seq", connection))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add(AuditTrail.Read(reader));
            }
        }

        var prev = rows.Single(r => r.Seq == from).PrevHash;
        await using (var off = new NpgsqlCommand("ALTER TABLE domio_audit DISABLE TRIGGER USER", connection))
        {
            await off.ExecuteNonQueryAsync(ct);
        }

        foreach (var row in rows.Where(r => r.Seq >= from && r.Seq <= to))
        {
            var changed = row with { After = row.Seq == from ? after : row.After, PrevHash = prev };
            prev = changed.ComputeHash(key);
            await using var update = new NpgsqlCommand("UPDATE domio_audit SET after = @after, prev_hash = @prev, hash = @hash WHERE seq = @seq", connection);
            update.Parameters.AddWithValue("after", (object?)changed.After ?? DBNull.Value);
            update.Parameters.AddWithValue("prev", changed.PrevHash);
            update.Parameters.AddWithValue("hash", prev);
            update.Parameters.AddWithValue("seq", row.Seq);
            await update.ExecuteNonQueryAsync(ct);
        }

        await using var head = new NpgsqlCommand(
            "UPDATE domio_audit_head SET hash = @hash WHERE seq = @to; ALTER TABLE domio_audit ENABLE TRIGGER USER", connection);
        head.Parameters.AddWithValue("hash", prev);
        head.Parameters.AddWithValue("to", to);
        await head.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private sealed record Chain(AuditTrail Trail, AuditVerifier Verifier, AuditCheckpointWriter Writer, AuditCheckpoints Checkpoints, AuditOptions Options, string ConnectionString)
    {
        public string[] CommandArguments =>
            ["audit", "verify", $"--Silo:ConnectionString={ConnectionString}", $"--Audit:KeyPath={Options.KeyPath}", $"--Audit:CheckpointDirectory={Options.CheckpointDirectory}"];
    }

    private sealed record User(string Id, string UserName);
}
