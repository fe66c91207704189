using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Cloud.Tests.History;

/// <summary>
/// Day partitions are created ahead and dropped whole by retention, with time driven by a
/// <see cref="FakeTimeProvider"/>. Each test has its own migrated database.
/// </summary>
public sealed class HistoryMaintenanceTests(MigratedDatabase postgres) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset Noon = new(2030, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunOnce_AtNoon_CreatesYesterdayTodayAndDaysAheadForBothTables()
    {
        await using var history = await HistoryAsync(partitionsAhead: 2);

        await history.Maintenance.RunOnceAsync(TestContext.Current.CancellationToken);

        DateOnly[] expected = [new(2030, 3, 9), new(2030, 3, 10), new(2030, 3, 11), new(2030, 3, 12)];
        Assert.Equal(expected, await history.Database.ListPartitionsAsync(HistoryDatabase.SampleTable, TestContext.Current.CancellationToken));
        Assert.Equal(expected, await history.Database.ListPartitionsAsync(HistoryDatabase.RollupTable, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunOnce_DaysPastRetention_DropsTheirPartitionsWithTheirRowsOnly()
    {
        await using var history = await HistoryAsync(retentionDays: 2, rollupRetentionDays: 3);
        await history.Writer.AppendAsync("plant/edge", [Sample(1, Noon.AddDays(-1)), Sample(2, Noon), Sample(3, Noon.AddHours(1))], TestContext.Current.CancellationToken);

        history.Time.SetUtcNow(new DateTimeOffset(2030, 3, 12, 0, 30, 0, TimeSpan.Zero));
        var firstDrop = await history.Maintenance.RunOnceAsync(TestContext.Current.CancellationToken);
        var afterFirst = (await CountAsync(history, "telemetry_sample"), await CountAsync(history, "telemetry_rollup_minute"));
        history.Time.SetUtcNow(new DateTimeOffset(2030, 3, 13, 1, 0, 0, TimeSpan.Zero));
        var secondDrop = await history.Maintenance.RunOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, firstDrop); // raw 2030-03-09 (rollups keep 3 days)
        Assert.Equal((2L, 3L), afterFirst);
        Assert.Equal(2, secondDrop); // raw 2030-03-10, rollup 2030-03-09
        Assert.Equal((0L, 2L), (await CountAsync(history, "telemetry_sample"), await CountAsync(history, "telemetry_rollup_minute")));
        Assert.Equal(new DateOnly(2030, 3, 11), (await history.Database.ListPartitionsAsync(HistoryDatabase.SampleTable, TestContext.Current.CancellationToken))[0]);
    }

    [Fact]
    public async Task Append_AfterAnotherProcessDroppedThePartition_RecreatesItAndWrites()
    {
        await using var history = await HistoryAsync(retentionDays: 30);
        await history.Writer.AppendAsync("plant/edge", [Sample(1, Noon)], TestContext.Current.CancellationToken);
        await using (var drop = history.Database.DataSource.CreateCommand($"DROP TABLE {HistoryDatabase.PartitionName(HistoryDatabase.SampleTable, DateOnly.FromDateTime(Noon.UtcDateTime))}"))
        {
            await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var written = await history.Writer.AppendAsync("plant/edge", [Sample(2, Noon.AddMinutes(1))], TestContext.Current.CancellationToken);

        Assert.Equal((1, 1L), (written, await CountAsync(history, "telemetry_sample")));
    }

    [Fact]
    public async Task Timer_TimeAdvancesPastMidnight_NextDayPartitionAheadAndExpiredDayDropped()
    {
        await using var history = await HistoryAsync(retentionDays: 1, partitionsAhead: 0);
        await history.Maintenance.StartAsync(TestContext.Current.CancellationToken);
        var startup = await Eventually.ReturnsAsync(
            () => history.Database.ListPartitionsAsync(HistoryDatabase.SampleTable, TestContext.Current.CancellationToken),
            days => days.Count == 2, TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        for (var hour = 0; hour < 13; hour++)
        {
            history.Time.Advance(TimeSpan.FromHours(1));
        }

        var days = await Eventually.ReturnsAsync(
            () => history.Database.ListPartitionsAsync(HistoryDatabase.SampleTable, TestContext.Current.CancellationToken),
            days => days.Count > 0 && days[0] == new DateOnly(2030, 3, 10), TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await history.Maintenance.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([new DateOnly(2030, 3, 9), new DateOnly(2030, 3, 10)], startup);
        Assert.Equal([new DateOnly(2030, 3, 10), new DateOnly(2030, 3, 11)], days);
    }

    private static EdgeSample Sample(ulong sequence, DateTimeOffset at) =>
        new("saw-1", new MachineSample(sequence, Signal.BladeMotorCurrent, at, sequence * 1.5, null));

    private static async Task<long> CountAsync(TestHistory history, string table)
    {
        await using var command = history.Database.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task<TestHistory> HistoryAsync(int retentionDays = 30, int rollupRetentionDays = 400, int partitionsAhead = 1)
    {
        var database = $"history_{Guid.NewGuid():N}";
        var connectionString = await postgres.MigrateAsync(database, TestContext.Current.CancellationToken);
        var time = new FakeTimeProvider(Noon);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["History:ConnectionString"] = connectionString,
            ["History:RetentionDays"] = $"{retentionDays}",
            ["History:RollupRetentionDays"] = $"{rollupRetentionDays}",
            ["History:PartitionsAhead"] = $"{partitionsAhead}",
            ["History:MaintenanceInterval"] = "01:00:00",
        });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddHistory();
        return new TestHistory(builder.Build(), time);
    }

    private sealed class TestHistory(IHost host, FakeTimeProvider time) : IAsyncDisposable
    {
        public FakeTimeProvider Time { get; } = time;

        public HistoryDatabase Database => host.Services.GetRequiredService<HistoryDatabase>();

        public HistoryMaintenance Maintenance => host.Services.GetRequiredService<HistoryMaintenance>();

        public TelemetryHistory Writer => host.Services.GetRequiredService<TelemetryHistory>();

        public async ValueTask DisposeAsync()
        {
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}
