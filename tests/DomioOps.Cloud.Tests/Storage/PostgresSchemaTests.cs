using DomioOps.Cloud.Storage;
using DomioOps.Testing;

using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

namespace DomioOps.Cloud.Tests.Storage;

public sealed class PostgresSchemaTests(PostgresSchemaTests.Server server) : IClassFixture<PostgresSchemaTests.Server>
{
    /// <summary>
    /// Every key the Orleans 10.4.2 ADO.NET clustering, persistence and reminders providers look up.
    /// Clustering and reminders refuse to start without theirs; CleanupDefunctSiloEntryKey and
    /// DeleteStorageKey are optional but used when present.
    /// </summary>
    private static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
        "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    [Fact]
    public void Migrations_Embedded_AreNumberedFromOne()
    {
        Assert.Equal(Enumerable.Range(1, PostgresSchema.Migrations.Count), PostgresSchema.Migrations.Select(m => m.Version));
        Assert.Contains(PostgresSchema.Migrations, m => m.Name == "0002-orleans-clustering");
    }

    [Fact]
    public async Task ApplyAsync_DatabaseMissing_CreatesItWithEveryOrleansQuery()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = server.Instance.ConnectionString("schema_created");

        await NewSchema(connectionString).ApplyAsync(ct);

        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString, ct));
        Assert.Equal(Versions(), await AppliedVersionsAsync(connectionString, ct));
    }

    [Fact]
    public async Task ApplyAsync_AppliedTwice_SecondChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await server.Instance.CreateDatabaseAsync("schema_twice", ct);

        await NewSchema(connectionString).ApplyAsync(ct);
        var keysAfterFirst = await QueryKeysAsync(connectionString, ct);
        await NewSchema(connectionString).ApplyAsync(ct);

        Assert.Equal(keysAfterFirst, await QueryKeysAsync(connectionString, ct));
        Assert.Equal(Versions(), await AppliedVersionsAsync(connectionString, ct));
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentCallersOnMissingDatabase_ApplyEachMigrationOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = server.Instance.ConnectionString("schema_concurrent");

        // Four silos starting at once race to create the database and to migrate it.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => NewSchema(connectionString).ApplyAsync(ct), ct)));

        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString, ct));
        Assert.Equal(Versions(), await AppliedVersionsAsync(connectionString, ct));
    }

    private static PostgresSchema NewSchema(string connectionString) => new(connectionString, NullLogger<PostgresSchema>.Instance);

    private static List<int> Versions() => [.. PostgresSchema.Migrations.Select(m => m.Version)];

    private static async Task<List<string>> QueryKeysAsync(string connectionString, CancellationToken ct)
    {
        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private static async Task<List<int>> AppliedVersionsAsync(string connectionString, CancellationToken ct)
    {
        var versions = new List<int>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT version FROM domioops_schema_version ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    public sealed class Server : IAsyncLifetime
    {
        private PostgresServer? _instance;

        public PostgresServer Instance => _instance ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync() => _instance = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_instance is not null)
            {
                await _instance.DisposeAsync();
            }
        }
    }
}
