using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Planning;

/// <summary>An order as the forecast names it.</summary>
internal sealed record PlanOrder(long Id, string Number, string Customer, DateOnly DueDate, int Priority);

/// <summary>What the planner read: the scheduler's input, the orders, the measured history, and the machines found down.</summary>
internal sealed record PlanningData(PlanInput Input, IReadOnlyDictionary<long, PlanOrder> Orders, IReadOnlyList<WorkCentreHistory> History,
    IReadOnlyDictionary<string, string> MachineStates);

/// <summary>A planned maintenance window of a machine: outside its capacity.</summary>
internal sealed record MaintenanceWindow(long Id, string MachineId, DateTimeOffset From, DateTimeOffset To, string? Note);

/// <summary>
/// Reads the planner's input from PostgreSQL and the machines' grains: work centres and their calendars, the operations
/// not done (a running one's remaining pieces less what its machine counted since it started), the planners' sequence
/// overrides, planned maintenance, machines broken down now (state Error, or a stop an operator gave the reason
/// breakdown) with their expected end, and each work centre's measured cycle ratios.
/// </summary>
internal sealed class PlanningStore(IServiceScopeFactory scopes, IGrainFactory grains, ShiftCalendar shifts, IOptionsMonitor<PlanningOptions> options, TimeProvider time)
{
    private const string Error = nameof(Models.Wire.MachineState.Error);

    public async Task<PlanningData> LoadAsync(CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centres = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).OrderBy(c => c.Id).ToListAsync(ct);
        var rows = await (
            from op in db.Operations
            where op.State != OperationState.Done
            join part in db.Parts on op.PartId equals part.Id
            join order in db.Orders on op.OrderId equals order.Id
            select new
            {
                op.Id,
                op.OrderId,
                order.Number,
                order.Customer,
                order.DueDate,
                order.Priority,
                op.PartId,
                PartName = part.Name,
                op.Step,
                op.WorkCentreId,
                op.State,
                op.MachineId,
                op.Planned,
                op.Good,
                op.CountedClosed,
                op.CounterBaseline,
                op.SetupMinutes,
                op.CycleSeconds,
                op.StartedAt,
            }).AsNoTracking().ToListAsync(ct);
        var overrides = await db.Database.SqlQuery<SequenceOverride>($"""
            SELECT o."OperationId", o."BeforeOperationId", o."MachineId" FROM planning_sequence_overrides o
            JOIN production_operations p ON p."Id" = o."OperationId" WHERE p."State" <> 'Done' ORDER BY o."Id"
            """).ToListAsync(ct);
        var maintenance = await MaintenanceAsync(db, now, ct);

        var machines = centres.SelectMany(c => c.Machines.Select(m => m.MachineId)).Order(StringComparer.Ordinal).ToList();
        var snapshots = (await Task.WhenAll(machines.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()))).OfType<MachineSnapshot>().ToList();
        var states = snapshots.ToDictionary(s => s.Id, s => s.State, StringComparer.Ordinal);
        var downs = new List<MachineDown>(maintenance.Select(w => new MachineDown(w.MachineId, w.From, w.To, true)));
        downs.AddRange(await BreakdownsAsync(db, snapshots, now, settings, ct));

        var counts = snapshots.ToDictionary(s => s.Id, s => s.PieceCount, StringComparer.Ordinal);
        var operations = rows.Select(r =>
        {
            var done = r.Good;
            if (r.State == OperationState.Running && r.MachineId is { } machine && r.CounterBaseline is { } baseline && counts.TryGetValue(machine, out var count))
            {
                done = (int)Math.Max(done, Math.Min(r.Planned, r.CountedClosed + Math.Max(0, count - baseline)));
            }

            return new PlanOperation(r.Id, r.OrderId, r.Number, r.PartId, r.PartName, r.Step, r.WorkCentreId, r.State, r.MachineId,
                Math.Max(0, r.Planned - done), (double)r.SetupMinutes * 60, (double)r.CycleSeconds, r.Priority, r.DueDate, r.StartedAt is not null);
        }).ToList();
        var orders = rows.GroupBy(r => r.OrderId).ToDictionary(g => g.Key, g => new PlanOrder(g.Key, g.First().Number, g.First().Customer, g.First().DueDate, g.First().Priority));
        var plan = new PlanInput(now, shifts.Zone,
            [.. centres.Select(c => new PlanCentre(c.Id, [.. c.Machines.Select(m => m.MachineId).Order(StringComparer.Ordinal)], c.Calendar))],
            operations, downs, overrides);
        var input = plan with { Horizon = TimeSpan.FromDays(settings.HorizonDays) };
        return new PlanningData(input, orders, await HistoryAsync(db, now, settings, ct), states);
    }

    public static async Task<List<MaintenanceWindow>> MaintenanceAsync(ProductionDbContext db, DateTimeOffset after, CancellationToken ct) =>
        await db.Database.SqlQuery<MaintenanceWindow>($"""
            SELECT "Id", "MachineId", "From", "To", "Note" FROM planning_maintenance WHERE "To" > {after} ORDER BY "From", "Id"
            """).ToListAsync(ct);

    /// <summary>
    /// Each machine broken down now, until its expected end: the median of its past breakdowns (Error intervals in its
    /// telemetry) that lasted longer than this one has so far; <see cref="PlanningOptions.DefaultRepair"/> more when there
    /// are none.
    /// </summary>
    private static async Task<List<MachineDown>> BreakdownsAsync(ProductionDbContext db, List<MachineSnapshot> snapshots, DateTimeOffset now, PlanningOptions settings, CancellationToken ct)
    {
        var stopped = snapshots.Where(s => s.State != nameof(Models.Wire.MachineState.Working) && s.StateSince is not null).ToList();
        if (stopped.Count == 0)
        {
            return [];
        }

        var ids = stopped.Select(s => s.Id).ToList();
        var oldest = stopped.Min(s => s.StateSince!.Value).AddSeconds(-1);
        var reasons = await db.Stops.AsNoTracking().Where(s => ids.Contains(s.MachineId) && s.Since >= oldest)
            .Select(s => new { s.MachineId, s.Since, s.Reason }).ToListAsync(ct);
        var down = stopped.Where(s => s.State == Error
            || reasons.Any(r => r.MachineId == s.Id && Math.Abs((r.Since - s.StateSince!.Value).TotalSeconds) < 1 && r.Reason == StopReason.Breakdown)).ToList();
        if (down.Count == 0)
        {
            return [];
        }

        var downIds = down.Select(s => s.Id).ToArray();
        var since = now.AddDays(-settings.HistoryDays);
        var past = await db.Database.SqlQuery<PastStop>($"""
            WITH changes AS (
                SELECT machine, ts, number FROM (
                    SELECT machine, ts, number, lag(number) OVER (PARTITION BY machine ORDER BY ts) AS previous
                    FROM telemetry_sample WHERE signal = 1 AND machine = ANY({downIds}) AND ts >= {since}) s
                WHERE previous IS DISTINCT FROM number),
            runs AS (SELECT machine, number, ts, lead(ts) OVER (PARTITION BY machine ORDER BY ts) AS until FROM changes)
            SELECT machine AS "Machine", EXTRACT(EPOCH FROM until - ts)::double precision AS "Seconds"
            FROM runs WHERE number = 4 AND until IS NOT NULL
            """).ToListAsync(ct);
        return [.. down.Select(s =>
        {
            var from = s.StateSince!.Value;
            var elapsed = (now - from).TotalSeconds;
            var longer = past.Where(p => p.Machine == s.Id && p.Seconds > elapsed).Select(p => p.Seconds).Order().ToList();
            var end = longer.Count > 0 ? from.AddSeconds(longer[(longer.Count - 1) / 2]) : from + settings.DefaultRepair > now ? from + settings.DefaultRepair : now + settings.DefaultRepair;
            return new MachineDown(s.Id, now, end, false);
        })];
    }

    /// <summary>Each work centre's cycle ratios: run time per piece (good and scrap) over the standard cycle, of operations done lately.</summary>
    private static async Task<List<WorkCentreHistory>> HistoryAsync(ProductionDbContext db, DateTimeOffset now, PlanningOptions settings, CancellationToken ct)
    {
        var since = now.AddDays(-settings.HistoryDays);
        var done = await db.Operations.AsNoTracking()
            .Where(o => o.State == OperationState.Done && o.FinishedAt >= since && o.CycleSeconds > 0 && o.Good + o.Scrap > 0)
            .OrderByDescending(o => o.FinishedAt).Take(50_000)
            .Select(o => new { o.WorkCentreId, o.RunTime, Pieces = o.Good + o.Scrap, o.CycleSeconds })
            .ToListAsync(ct);
        return [.. done.Where(o => o.RunTime > TimeSpan.Zero).GroupBy(o => o.WorkCentreId)
            .Select(g => new WorkCentreHistory(g.Key, [], [.. g.Select(o => o.RunTime.TotalSeconds / (o.Pieces * (double)o.CycleSeconds))], []))];
    }

    private sealed record PastStop(string Machine, double Seconds);
}
