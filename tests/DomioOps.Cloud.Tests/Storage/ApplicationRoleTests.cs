using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Storage;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>
/// The schema migrated by an owner role, used by a login role that is a member of <c>domio_app</c> (Storage/Sql/0008):
/// what someone holding the silos' database credentials can and cannot do, as PostgreSQL itself answers it.
/// </summary>
public sealed class ApplicationRoleTests(PostgresSchemaTests.Server server) : IClassFixture<PostgresSchemaTests.Server>
{
    [Fact]
    public async Task ApplicationRole_AuditTable_TakesInsertsButNoUpdateDeleteTruncateAlterOrDisabledTriggers()
    {
        var ct = TestContext.Current.CancellationToken;
        var application = await MigrateAsOwnerAsync("roles_audit", ct);
        var trail = new AuditTrail(Options.Create(new SiloOptions { ConnectionString = application }), new AuditKey(new byte[32]), TimeProvider.System, NullLogger<AuditTrail>.Instance);
        var appended = await trail.AppendAsync(AuditActor.System, "test.appended", "test", null, null, null, ct);
        Assert.Equal(1, appended.Seq);

        await using var connection = new NpgsqlConnection(application);
        await connection.OpenAsync(ct);
        var refused = new (string Sql, string Message)[]
        {
            ("UPDATE domio_audit SET action = 'x'", "permission denied for table domio_audit"),
            ("DELETE FROM domio_audit", "permission denied for table domio_audit"),
            ("TRUNCATE domio_audit", "permission denied for table domio_audit"),
            ("ALTER TABLE domio_audit DISABLE TRIGGER USER", "must be owner of table domio_audit"),
            ("ALTER TABLE domio_audit ADD COLUMN note text", "must be owner of table domio_audit"),
            ("DROP TABLE domio_audit", "must be owner of table domio_audit"),
            ("UPDATE domio_audit_keyed SET from_seq = 9", "permission denied for table domio_audit_keyed"),
            ("UPDATE OrleansQuery SET QueryText = ''", "permission denied for table orleansquery"),
            ("DELETE FROM domioops_schema_version", "permission denied for table domioops_schema_version"),
        };
        foreach (var (sql, message) in refused)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));
            Assert.Equal((PostgresErrorCodes.InsufficientPrivilege, message), (error.SqlState, error.MessageText));
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM domio_audit", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync(ct));
    }

    [Fact]
    public async Task ApplicationRole_HistoryPartitions_AreCreatedAndDroppedOnlyThroughTheFunctions()
    {
        var ct = TestContext.Current.CancellationToken;
        var application = await MigrateAsOwnerAsync("roles_history", ct);
        await using var connection = new NpgsqlConnection(application);
        await connection.OpenAsync(ct);
        Assert.Equal(true, await ScalarAsync(connection, "SELECT telemetry_history_partition('telemetry_sample', DATE '2026-01-01')", ct));
        Assert.Equal(true, await ScalarAsync(connection, "SELECT telemetry_history_drop_partition('telemetry_sample', DATE '2026-01-01')", ct));
        Assert.Equal(false, await ScalarAsync(connection, "SELECT telemetry_history_drop_partition('telemetry_sample', DATE '2026-01-01')", ct));

        Assert.Equal(true, await ScalarAsync(connection, "SELECT telemetry_history_partition('telemetry_sample', DATE '2026-01-02')", ct));
        var direct = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, "DROP TABLE telemetry_sample_20260102", ct));
        Assert.Equal((PostgresErrorCodes.InsufficientPrivilege, "must be owner of table telemetry_sample_20260102"), (direct.SqlState, direct.MessageText));
        var other = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, "SELECT telemetry_history_drop_partition('domio_audit', DATE '2026-01-02')", ct));
        Assert.Equal("not a history table: domio_audit", other.MessageText);
    }

    [Fact]
    public async Task MigrateCommand_AsOwner_LeavesASchemaTheApplicationRoleFindsCurrent()
    {
        var ct = TestContext.Current.CancellationToken;
        var (owner, application) = await RolesAndDatabaseAsync("roles_command", ct);
        Assert.Equal(0, await MigrateCommand.RunAsync(["migrate", $"--Silo:MigrationConnectionString={owner}"]));
        // What a silo that holds only the application role's credentials does at start: finds nothing to apply.
        await new PostgresSchema(application, NullLogger<PostgresSchema>.Instance) { MigratesAsApplication = true }.ApplyAsync(ct);
        await using var connection = new NpgsqlConnection(application);
        await connection.OpenAsync(ct);
        Assert.Equal(PostgresSchema.LatestVersion, await ScalarAsync(connection, "SELECT max(version) FROM domioops_schema_version", ct));
        Assert.Null(await MigrateCommand.RunAsync(["--urls=http://127.0.0.1:1"]));
    }

    /// <summary>A database owned and migrated by <c>{name}_owner</c>; returns the connection string of <c>{name}_app</c>, a member of domio_app.</summary>
    private async Task<string> MigrateAsOwnerAsync(string name, CancellationToken ct)
    {
        var (owner, application) = await RolesAndDatabaseAsync(name, ct);
        await new PostgresSchema(owner, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        return application;
    }

    /// <summary>Roles <c>{name}_owner</c> and <c>{name}_app</c> (a member of domio_app) and an empty database owned by the first; their connection strings.</summary>
    private async Task<(string Owner, string Application)> RolesAndDatabaseAsync(string name, CancellationToken ct)
    {
        var postgres = server.Instance;
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString()))
        {
            // As in docker-compose.yml, the superuser makes domio_app: the owner may not create roles.
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("DO $$ BEGIN CREATE ROLE domio_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$", connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        await postgres.CreateRoleAsync($"{name}_owner", cancellationToken: ct);
        await postgres.CreateRoleAsync($"{name}_app", memberOf: "domio_app", cancellationToken: ct);
        await postgres.CreateDatabaseAsync(name, $"{name}_owner", ct);
        return (postgres.ConnectionString(name, $"{name}_owner"), postgres.ConnectionString(name, $"{name}_app"));
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
