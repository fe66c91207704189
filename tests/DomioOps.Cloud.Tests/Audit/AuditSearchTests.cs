using System.Net;
using System.Text;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Storage;
using DomioOps.Cloud.Tests.Security;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Audit;

/// <summary>
/// The audit trail as the Audit page and the CSV export read it: filters, pages, names and the rows a verification
/// blames, on databases of their own (rows at known times, tampering that touches nothing else), and the export through
/// the real host.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class AuditSearchTests(SecureCloud cloud) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("domioops-audit-search-");

    [Fact]
    public async Task SearchAsync_PersonActionAndTime_AdmitOnlyTheirRowsNewestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_search", ct);
        await AppendAsync(chain, new AuditActor("person", "u-1", "10.0.0.1"), "user.locked", "user", "u-2", ct);       // 1, 08:00:10
        await AppendAsync(chain, new AuditActor("person", "u-2", "10.0.0.2"), "user.created", "user", "u-3", ct);      // 2, 08:00:20
        await AppendAsync(chain, new AuditActor("person", "u-3", "10.0.0.3"), "terminal.created", "terminal", "t-1", ct); // 3, 08:00:30
        await AppendAsync(chain, AuditActor.System, "user.locked", "user", "u-1", ct);                                  // 4, 08:00:40

        async Task<long[]> Seqs(AuditFilter filter, int skip = 0, int take = 10) =>
            [.. (await chain.Search.SearchAsync(filter, skip, take, newestFirst: true, ct)).Rows.Select(r => r.Record.Seq)];

        Assert.Equal((long[])[4, 3, 2, 1], await Seqs(new AuditFilter()));
        // By them and about them.
        Assert.Equal((long[])[4, 1], await Seqs(new AuditFilter(Person: "u-1")));
        Assert.Equal((long[])[4, 2, 1], await Seqs(new AuditFilter(Action: "user.")));
        Assert.Equal((long[])[4], await Seqs(new AuditFilter(Action: "user.locked", From: Start.AddSeconds(20))));
        // "To" is exclusive: the row at 08:00:30 is not in.
        Assert.Equal((long[])[2, 1], await Seqs(new AuditFilter(To: Start.AddSeconds(30))));
        var second = await chain.Search.SearchAsync(new AuditFilter(Action: "user."), 1, 1, newestFirst: true, ct);
        Assert.Equal((3L, 2L), (second.Total, second.Rows.Single().Record.Seq));
        var oldest = await chain.Search.SearchAsync(new AuditFilter(), 0, 2, newestFirst: false, ct);
        Assert.Equal([1L, 2], oldest.Rows.Select(r => r.Record.Seq));
        // Row 2 of the newest-first list comes after rows 4 and 3; among "user." rows, after row 4 alone.
        Assert.Equal(2, await chain.Search.PositionAsync(new AuditFilter(), 2, newestFirst: true, ct));
        Assert.Equal(1, await chain.Search.PositionAsync(new AuditFilter(Action: "user."), 2, newestFirst: true, ct));
    }

    [Fact]
    public async Task WriteCsvAsync_TwoRows_WritesRfc4180WithUtcTimesAndNoFormula()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_csv", ct);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await chain.Trail.AppendAsync(new AuditActor("person", "u-1", "10.0.0.7"), "user.roles-changed", "user", "u-2",
            new { roles = new[] { "Operator" } }, new { roles = new[] { "Planner", "Office" } }, ct);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await chain.Trail.AppendAsync(AuditActor.System, "terminal.created", "terminal", "=1+2", null, new { name = "Saw, left" }, ct);

        using var output = new MemoryStream();
        await chain.Search.WriteCsvAsync(new AuditFilter(), output, ct);

        // Written by hand from RFC 4180: quotes doubled inside quoted fields, CRLF line ends; a UTF-8 byte order mark first.
        const string Expected =
            "\uFEFFseq,at,actor_kind,actor_id,actor_name,address,action,entity_type,entity_id,entity_name,before,after\r\n"
            + "1,2026-11-25T08:00:01.500000Z,person,u-1,,10.0.0.7,user.roles-changed,user,u-2,,\"{\"\"roles\"\":[\"\"Operator\"\"]}\",\"{\"\"roles\"\":[\"\"Planner\"\",\"\"Office\"\"]}\"\r\n"
            + "2,2026-11-25T08:00:03.000000Z,system,,,,terminal.created,terminal,'=1+2,,,\"{\"\"name\"\":\"\"Saw, left\"\"}\"\r\n";
        Assert.Equal(Expected, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task Verify_ModifiedAndDeletedRows_BlameExactlyThoseRows()
    {
        var ct = TestContext.Current.CancellationToken;
        var chain = await ChainAsync("audit_blame", ct);
        for (var i = 1; i <= 6; i++)
        {
            await AppendAsync(chain, new AuditActor("person", $"u-{i}", null), "user.roles-changed", "user", $"u-{i}", ct);
        }

        await TamperAsync(chain.ConnectionString, """UPDATE domio_audit SET after = '{"roles":["Admin"]}' WHERE seq = 2; DELETE FROM domio_audit WHERE seq = 5""", ct);
        var result = await chain.Verifier.VerifyAsync(null, ct);

        Assert.Equal(
        [
            (AuditProblemKind.Modified, 2L, 2L),
            (AuditProblemKind.Missing, 5L, 5L),
            (AuditProblemKind.Unlinked, 6L, 6L),
        ], result.Details.Select(d => (d.Kind, d.From!.Value, d.To!.Value)));
        Assert.Equal(2, result.FirstBrokenSeq);
        Assert.Equal([2L, 5, 6], Enumerable.Range(1, 6).Select(i => (long)i).Where(result.Blames));
        // The words of the command line are unchanged.
        Assert.Equal(["row 2 was modified: its content does not match its hash", "rows 5..5 are missing (deleted)", "row 6 does not link to the row before it"], result.Problems);
    }

    [Fact]
    public async Task SearchAsync_RowsOfTheHost_NameThePeopleTheirIdsStandFor()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"named{Guid.NewGuid():N}"[..14];
        var userId = await cloud.CreateUserAsync(name, "Named-Person-2026", DomioRoles.Operator);
        using var admin = await cloud.AdminAsync(ct);
        using (var locked = await admin.PostAsync(new Uri($"api/security/users/{userId}/lock", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, locked.StatusCode);
        }

        // The person is found by user name as well as by id, in any case.
        var search = cloud.App.Services.GetRequiredService<AuditSearch>();
        foreach (var person in new[] { name.ToUpperInvariant(), userId })
        {
            var page = await search.SearchAsync(new AuditFilter(Person: person, Action: "user.locked"), 0, 10, newestFirst: true, ct);
            var row = Assert.Single(page.Rows);
            Assert.Equal(("admin", name, userId), (row.ActorName, row.EntityName, row.Record.EntityId));
        }
    }

    [Fact]
    public async Task ExportEndpoint_FilteredByPersonAndAction_IsCsvOfThoseRowsAndIsAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"export{Guid.NewGuid():N}"[..14];
        var userId = await cloud.CreateUserAsync(name, "Export-Person-2026", DomioRoles.Operator);
        using var admin = await cloud.AdminAsync(ct);
        foreach (var change in new[] { "lock", "unlock", "lock" })
        {
            using var response = await admin.PostAsync(new Uri($"api/security/users/{userId}/{change}", UriKind.Relative), null, ct);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var export = await admin.GetAsync(new Uri($"api/audit/export?person={name}&action=user.locked", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("audit-trail.csv", export.Content.Headers.ContentDisposition?.FileNameStar ?? export.Content.Headers.ContentDisposition?.FileName);
        var lines = (await export.Content.ReadAsStringAsync(ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,at,actor_kind,actor_id,actor_name,address,action,entity_type,entity_id,entity_name,before,after", lines[0]);
        Assert.Equal(2, lines.Length - 1);
        Assert.All(lines[1..], line => Assert.Contains($",admin,127.0.0.1,user.locked,user,{userId},{name},,", line, StringComparison.Ordinal));

        var search = cloud.App.Services.GetRequiredService<AuditSearch>();
        var exported = (await search.SearchAsync(new AuditFilter(Action: "audit.exported"), 0, 1, newestFirst: true, ct)).Rows.Single();
        Assert.Equal(("admin", """{"person":true,"action":"user.locked","from":null,"to":null}"""), (exported.ActorName, exported.Record.After));
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private async Task AppendAsync(Chain chain, AuditActor actor, string action, string entityType, string entityId, CancellationToken ct)
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        await chain.Trail.AppendAsync(actor, action, entityType, entityId, new { roles = new[] { DomioRoles.Operator } }, new { roles = new[] { DomioRoles.Planner } }, ct);
    }

    /// <summary>A migrated database of its own with its trail, key file, checkpoint folder (the start's checkpoint written), verifier and search.</summary>
    private async Task<Chain> ChainAsync(string database, CancellationToken ct)
    {
        var connectionString = await cloud.Postgres.CreateDatabaseAsync(database, ct);
        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        var directory = Path.Combine(_folder.FullName, database);
        var audit = new AuditOptions { KeyPath = Path.Combine(directory, "audit.key"), CreateKey = true, CheckpointDirectory = Path.Combine(directory, "checkpoints") };
        var key = AuditKey.Load(audit.KeyPath, create: true);
        var silo = Options.Create(new SiloOptions { ConnectionString = connectionString });
        var trail = new AuditTrail(silo, key, _time, NullLogger<AuditTrail>.Instance);
        var checkpoints = new AuditCheckpoints(Options.Create(audit), key, _time);
        var writer = new AuditCheckpointWriter(trail, checkpoints, Options.Create(audit), _time, NullLogger<AuditCheckpointWriter>.Instance);
        await writer.StartAsync(ct);
        await writer.StopAsync(ct);
        return new Chain(trail, new AuditSearch(silo), new AuditVerifier(silo, key, checkpoints), connectionString);
    }

    /// <summary>What a database superuser can still do: switch the guard triggers off and edit.</summary>
    private static async Task TamperAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"ALTER TABLE domio_audit DISABLE TRIGGER USER; {sql}; ALTER TABLE domio_audit ENABLE TRIGGER USER;", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record Chain(AuditTrail Trail, AuditSearch Search, AuditVerifier Verifier, string ConnectionString);
}
