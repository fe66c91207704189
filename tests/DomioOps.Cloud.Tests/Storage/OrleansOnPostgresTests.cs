using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Orleans.Storage;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>Three real silos on one PostgreSQL, every Orleans provider going through our SQL.</summary>
public sealed class OrleansOnPostgresTests(OrleansOnPostgresTests.Cluster cluster) : IClassFixture<OrleansOnPostgresTests.Cluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UsePostgres_ThreeSilos_FormOneClusterInTheMembershipTable()
    {
        var ct = TestContext.Current.CancellationToken;

        foreach (var silo in cluster.Silos)
        {
            var management = silo.Grains.GetGrain<IManagementGrain>(0);
            var hosts = await Eventually.ReturnsAsync(
                () => management.GetHosts(onlyActive: true), h => h.Count == 3, Patience, ct);
            Assert.Equal(3, hosts.Count);
        }

        var activeRows = await Eventually.ReturnsAsync(
            () => cluster.ScalarAsync<long>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = 3", ct),
            n => n == 3, Patience, ct);
        Assert.Equal(3, activeRows);
        Assert.True(await cluster.ScalarAsync<int>(
            "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", ct) >= 3);
        SiloErrorLog.AssertNone(cluster.Errors);
    }

    [Fact]
    public async Task GrainState_WrittenThenDeactivated_IsReadBackFromPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        var saw = cluster.Silos[0].Grains.GetGrain<IPieceCounterGrain>("panel-saw-1");

        await saw.Add(5);
        Assert.Equal(12, await saw.Add(7));
        var before = await saw.ActivationId();
        await saw.Deactivate();

        // Ask through another silo: the new activation must load the state that was written.
        var again = cluster.Silos[2].Grains.GetGrain<IPieceCounterGrain>("panel-saw-1");
        var after = await Eventually.ReturnsAsync(again.ActivationId, id => id != before, Patience, ct);
        Assert.NotEqual(before, after);
        Assert.Equal(12, await again.Pieces());
        Assert.Equal(2, await cluster.ScalarAsync<int>(
            "SELECT Version FROM OrleansStorage WHERE ServiceId = @service AND GrainIdExtensionString = 'panel-saw-1'", ct));
        SiloErrorLog.AssertNone(cluster.Errors);
    }

    [Fact]
    public async Task GrainStorage_StaleOrMissingETag_ThrowsInconsistentState()
    {
        var storage = cluster.Silos[1].Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var id = GrainId.Create("edgebander", "eb-1");

        var writer = new GrainState<PieceCount>(new PieceCount { Pieces = 1 });
        await storage.WriteStateAsync("count", id, writer);
        Assert.Equal("1", writer.ETag);

        var stale = new GrainState<PieceCount>(new PieceCount());
        await storage.ReadStateAsync("count", id, stale);
        Assert.True(stale.RecordExists);
        Assert.Equal(1, stale.State!.Pieces);

        writer.State!.Pieces = 2;
        await storage.WriteStateAsync("count", id, writer);
        Assert.Equal("2", writer.ETag);

        stale.State!.Pieces = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("count", id, stale));
        // A second "first write" of the same grain must lose as well.
        var newcomer = new GrainState<PieceCount>(new PieceCount { Pieces = 98 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("count", id, newcomer));

        await storage.ClearStateAsync("count", id, writer);
        Assert.Equal("3", writer.ETag);
        var reader = new GrainState<PieceCount>(new PieceCount());
        await storage.ReadStateAsync("count", id, reader);
        Assert.False(reader.RecordExists);
        Assert.Equal("3", reader.ETag);
        Assert.Equal(0, reader.State!.Pieces);

        // After a clear the ETag keeps counting forward.
        reader.State!.Pieces = 4;
        await storage.WriteStateAsync("count", id, reader);
        Assert.Equal("4", reader.ETag);
    }

    [Fact]
    public async Task GrainStorage_DeleteStateOnClear_RemovesTheRowAndStartsOver()
    {
        var ct = TestContext.Current.CancellationToken;
        var storage = cluster.Silos[2].Services.GetRequiredKeyedService<IGrainStorage>(TestSilo.DeleteOnClearStorage);
        var id = GrainId.Create("meter", "energy-4");
        const string countRows = "SELECT count(*) FROM OrleansStorage WHERE ServiceId = @service AND GrainIdExtensionString = 'energy-4'";

        var state = new GrainState<PieceCount>(new PieceCount { Pieces = 3 });
        await storage.WriteStateAsync("count", id, state);
        state.State!.Pieces = 4;
        await storage.WriteStateAsync("count", id, state);
        Assert.Equal("2", state.ETag);

        var stale = new GrainState<PieceCount>(new PieceCount()) { ETag = "1", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("count", id, stale));

        await storage.ClearStateAsync("count", id, state);
        Assert.Null(state.ETag);
        Assert.Equal(0, await cluster.ScalarAsync<long>(countRows, ct));

        await storage.WriteStateAsync("count", id, state);
        Assert.Equal("1", state.ETag);
        Assert.Equal(1, await cluster.ScalarAsync<long>(countRows, ct));
    }

    [Fact]
    public async Task Reminder_RegisteredOnGrain_FiresAndIsStoredInPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        var timer = cluster.Silos[0].Grains.GetGrain<IMaintenanceTimerGrain>("cnc-router-7");

        await timer.Start(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service AND ReminderName = 'maintenance'", ct));

        var ticks = await Eventually.ReturnsAsync(timer.Ticks, n => n >= 2, Patience, ct);
        Assert.True(ticks >= 2, $"The reminder fired {ticks} times.");

        await timer.Cancel();
        Assert.Equal(0, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service AND ReminderName = 'maintenance'", ct));
        SiloErrorLog.AssertNone(cluster.Errors);
    }

    public sealed class Cluster : IAsyncLifetime
    {
        private PostgresServer? _server;

        public string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

        public string ConnectionString { get; private set; } = "";

        public List<TestSilo> Silos { get; } = [];

        /// <summary>Errors any silo logged, such as a failing heartbeat or reminder query.</summary>
        public IEnumerable<string> Errors => Silos.SelectMany(s => s.Errors.Entries);

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            _server = await PostgresServer.StartAsync(ct);
            // The silos create the database themselves.
            ConnectionString = _server.ConnectionString("orleans_cluster");
            for (var i = 0; i < 3; i++)
            {
                Silos.Add(await TestSilo.StartAsync(ConnectionString, ClusterId, ct));
            }
        }

        public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("cluster", ClusterId);
            command.Parameters.AddWithValue("service", TestSilo.ServiceId);
            return (T)(await command.ExecuteScalarAsync(ct))!;
        }

        public async ValueTask DisposeAsync()
        {
            await Task.WhenAll(Silos.Select(s => s.DisposeAsync().AsTask()));
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
