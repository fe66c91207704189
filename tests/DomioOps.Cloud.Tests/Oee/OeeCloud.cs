using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>
/// The production cloud with an OEE line: work centre "oee" with machines oee-a to oee-d (10 s a piece), working every
/// day in three shifts (00-08, 08-16 with a break 12:00-12:30, 16-24) in UTC. Tests feed the history as an edge would
/// and run the recomputation themselves (its own timer waits an hour).
/// </summary>
public sealed class OeeCloud : ProductionCloud
{
    private readonly SemaphoreSlim _calendarSet = new(1, 1);
    private bool _calendarDone;
    private long _sequence;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        .. base.Settings,
        new("Production:WorkCentres:3:Id", "oee"),
        new("Production:WorkCentres:3:Name", "OEE line"),
        new("Production:WorkCentres:3:Kind", nameof(WorkCentreKind.Packing)),
        new("Production:WorkCentres:3:Machines:0", "oee-a"),
        new("Production:WorkCentres:3:Machines:1", "oee-b"),
        new("Production:WorkCentres:3:Machines:2", "oee-c"),
        new("Production:WorkCentres:3:Machines:3", "oee-d"),
        new("Production:WorkCentres:3:CycleSeconds", "10"),
        new("Machines:TimeZone", "UTC"),
        new("Oee:RecomputeInterval", "01:00:00"),
        new("Oee:Backfill", "01:00:00"),
    ];

    internal static WorkCalendar ThreeShifts
    {
        get
        {
            List<DayOfWeek> every = [.. Enum.GetValues<DayOfWeek>()];
            return new WorkCalendar
            {
                Shifts =
                [
                    new("1", new(0, 0), new(8, 0), every, []),
                    new("2", new(8, 0), new(16, 0), every, [new(new(12, 0), new(12, 30))]),
                    new("3", new(16, 0), new(0, 0), every, []),
                ],
            };
        }
    }

    /// <summary>The day <paramref name="daysAgo"/> days before today (UTC) at <paramref name="hour"/>:<paramref name="minute"/>.</summary>
    internal static DateTimeOffset DaysAgo(int daysAgo, int hour, int minute = 0) =>
        new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-daysAgo).AddHours(hour).AddMinutes(minute);

    internal async Task ThreeShiftsAsync()
    {
        await _calendarSet.WaitAsync();
        try
        {
            if (!_calendarDone)
            {
                await using var scope = App.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
                var centre = await db.WorkCentres.SingleAsync(c => c.Id == "oee");
                centre.Calendar = ThreeShifts;
                await db.SaveChangesAsync();
                _calendarDone = true;
            }
        }
        finally
        {
            _calendarSet.Release();
        }
    }

    /// <summary>Samples of <paramref name="machine"/> committed to history as its edge would (each a new sequence).</summary>
    internal async Task HistoryAsync(string machine, params (Signal Signal, double Value, DateTimeOffset At)[] samples)
    {
        var history = App.Services.GetRequiredService<TelemetryHistory>();
        var batch = samples.Select(s => new EdgeSample(machine, new MachineSample((ulong)Interlocked.Increment(ref _sequence), s.Signal, s.At, s.Value, null))).ToList();
        Assert.Equal(batch.Count, await history.AppendAsync("plant/oee-edge", batch, TestContext.Current.CancellationToken));
    }

    internal static (Signal, double, DateTimeOffset) State(DomioOps.Models.Wire.MachineState state, DateTimeOffset at) => (Signal.MachineState, (double)state, at);

    internal static (Signal, double, DateTimeOffset) Counter(double value, DateTimeOffset at) => (Signal.PieceCounter, value, at);

    /// <summary>Runs the recomputation until <paramref name="done"/> holds for the stored figures (or 30 s pass).</summary>
    internal async Task<OeeFigures?> StoredWhenAsync(string machine, DateTimeOffset shiftStart, Func<OeeFigures?, bool> done, long orderId = 0)
    {
        var ct = TestContext.Current.CancellationToken;
        var recomputation = App.Services.GetRequiredService<OeeRecomputation>();
        return await Eventually.ReturnsAsync(async () =>
        {
            await recomputation.RunOnceAsync(ct);
            return await StoredAsync(machine, shiftStart, orderId);
        }, done, TimeSpan.FromSeconds(30), ct);
    }

    internal async Task<OeeFigures?> StoredAsync(string machine, DateTimeOffset shiftStart, long orderId = 0)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT planned_ticks, run_ticks, delay_ticks, down_ticks, pieces, scrap, ideal_ticks FROM oee_shift
            WHERE machine = @machine AND shift_start = @start AND order_id = @order
            """, connection);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("start", shiftStart.UtcDateTime);
        command.Parameters.AddWithValue("order", orderId);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        return await reader.ReadAsync(TestContext.Current.CancellationToken)
            ? new OeeFigures(TimeSpan.FromTicks(reader.GetInt64(0)), TimeSpan.FromTicks(reader.GetInt64(1)), TimeSpan.FromTicks(reader.GetInt64(2)),
                TimeSpan.FromTicks(reader.GetInt64(3)), reader.GetInt64(4), reader.GetInt64(5), TimeSpan.FromTicks(reader.GetInt64(6)))
            : null;
    }

    internal async Task<T> OeeAsync<T>(Func<OeeQuery, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OeeQuery>());
    }

    public override async ValueTask DisposeAsync()
    {
        _calendarSet.Dispose();
        await base.DisposeAsync();
    }
}
