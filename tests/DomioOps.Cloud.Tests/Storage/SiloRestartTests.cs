using DomioOps.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>What a silo wrote to PostgreSQL is what the next silo finds after a full cluster restart.</summary>
public sealed class SiloRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UsePostgres_ClusterRestarted_GrainStateAndRemindersSurvive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await PostgresServer.StartAsync(ct);
        var connectionString = await server.CreateDatabaseAsync("orleans_restart", ct);
        const string clusterId = "restart";

        await using (var first = await TestSilo.StartAsync(connectionString, clusterId, ct))
        {
            Assert.Equal(40, await first.Grains.GetGrain<IPieceCounterGrain>("edgebander-2").Add(40));
            await first.Grains.GetGrain<IMaintenanceTimerGrain>("saw-3").Start(TimeSpan.FromSeconds(1));
            SiloErrorLog.AssertNone(first.Errors.Entries);
        }

        await using var second = await TestSilo.StartAsync(connectionString, clusterId, ct);
        Assert.Equal(40, await second.Grains.GetGrain<IPieceCounterGrain>("edgebander-2").Pieces());

        // Nobody calls the timer grain: only the reminder table can wake it on the new silo.
        var timer = second.Grains.GetGrain<IMaintenanceTimerGrain>("saw-3");
        var ticksAtRestart = await PersistedTicksAsync(connectionString, ct);
        var ticks = await Eventually.ReturnsAsync(
            () => PersistedTicksAsync(connectionString, ct), n => n >= ticksAtRestart + 2, Patience, ct);
        Assert.True(ticks >= ticksAtRestart + 2, $"Ticks went from {ticksAtRestart} to {ticks} after the restart.");
        await timer.Cancel();
        SiloErrorLog.AssertNone(second.Errors.Entries);
    }

    /// <summary>The timer grain's stored tick count: each tick is one write, so the state's version counts them.</summary>
    private static async Task<int> PersistedTicksAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT Version FROM OrleansStorage WHERE GrainIdExtensionString = 'saw-3'", connection);
        var version = await command.ExecuteScalarAsync(ct);
        return version is int v ? v : 0;
    }
}
