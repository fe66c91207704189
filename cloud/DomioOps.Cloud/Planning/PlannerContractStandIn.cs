// STAND-IN until the real planner (helper "plan", CONTRACT15.md) is merged; DELETE THIS FILE ON MERGE and replace
// `builder.AddPlanningStandIn()` in Program.cs by `builder.AddPlanning()`. The shapes below are the contract's, exactly;
// the schedule is made up (deterministic sample orders over the configured work centres, so that the pages render and
// their tests are repeatable), and a sequence change is applied by a naive forward pass, without audit.
using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Planning;

internal sealed record ScheduledOperation(long OperationId, long OrderId, string OrderNumber, string PartName, int Step,
    string WorkCentreId, string? MachineId, DateTimeOffset Start, DateTimeOffset End, OperationState State);

internal sealed record CapacityDay(string WorkCentreId, DateOnly Day, TimeSpan Capacity, TimeSpan Load);

internal sealed record OrderForecast(long OrderId, string Number, string Customer, DateOnly DueDate, int Priority,
    DateTimeOffset Projected, DateTimeOffset P50, DateTimeOffset P90, bool AtRisk);

internal sealed record ScheduleMove(long OperationId, string OrderNumber, DateTimeOffset Was, DateTimeOffset Now);

internal sealed record Schedule(long Version, DateTimeOffset ComputedAt, string Reason, IReadOnlyList<ScheduledOperation> Operations,
    IReadOnlyList<CapacityDay> Capacity, IReadOnlyList<OrderForecast> Orders, IReadOnlyList<ScheduleMove> Moves);

internal sealed record SequenceChange(long OperationId, int Position, string? MachineId);

/// <summary>STAND-IN: 16 sample orders, one part each, routed through every configured work centre in turn.</summary>
internal sealed class Planner
{
    private const int OrderCount = 16;
    private const int DayStartHour = 6;
    private const int DayEndHour = 22;

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly IReadOnlyList<(string Id, IReadOnlyList<string> Machines)> centres;
    private readonly IReadOnlyList<Job> jobs;
    private readonly DateTimeOffset origin;
    private Dictionary<string, List<long>> sequences;
    private Dictionary<long, string?> machines;
    private Schedule current;

    public Planner(IOptions<ProductionOptions> options, TimeProvider time)
    {
        this.time = time;
        centres = [.. options.Value.WorkCentres.Select(c => (c.Id, (IReadOnlyList<string>)[.. c.Machines]))];
        var now = time.GetUtcNow();
        origin = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var list = new List<Job>();
        string[] customers = ["Kitchen House", "Nordic Interiors", "Office Line", "Hotel Baltika"];
        string[] parts = ["Side panel", "Door", "Shelf", "Worktop"];
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, time.LocalTimeZone).Date);
        for (int o = 1; o <= OrderCount; o++)
        {
            for (int step = 1; step <= centres.Count; step++)
            {
                var hours = 2 + ((o * 7) + (step * 3)) % 6;
                list.Add(new Job(OperationId(o, step), o, $"SO-{2600 + o}", customers[o % customers.Length], parts[o % parts.Length], step,
                    centres[step - 1].Id, TimeSpan.FromHours(hours), today.AddDays(3 + (o * 2 / 3)), 1 + (o % 3)));
            }
        }

        jobs = list;
        sequences = centres.ToDictionary(c => c.Id, c => jobs.Where(j => j.WorkCentreId == c.Id).Select(j => j.OperationId).ToList());
        machines = [];
        foreach (var (id, centreMachines) in centres)
        {
            var ops = sequences[id];
            for (int i = 0; i < ops.Count; i++)
            {
                machines[ops[i]] = centreMachines.Count == 0 ? null : centreMachines[i % centreMachines.Count];
            }
        }

        current = Compute(1, "start", sequences, machines, null);
    }

    public Schedule Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public event Action<Schedule>? Changed;

    public Task<Schedule> PreviewAsync(SequenceChange change, CancellationToken ct)
    {
        lock (gate)
        {
            var (s, m) = Reordered(change);
            return Task.FromResult(Compute(current.Version, "preview", s, m, current));
        }
    }

    public Task<Schedule> ApplyAsync(SequenceChange change, AuditActor actor, CancellationToken ct)
    {
        Schedule next;
        lock (gate)
        {
            var (s, m) = Reordered(change);
            (sequences, machines) = (s, m);
            next = current = Compute(current.Version + 1, "sequence changed", s, m, current);
        }

        Changed?.Invoke(next);
        return Task.FromResult(next);
    }

    private static long OperationId(int order, int step) => (order * 100L) + step;

    private (Dictionary<string, List<long>>, Dictionary<long, string?>) Reordered(SequenceChange change)
    {
        var job = jobs.FirstOrDefault(j => j.OperationId == change.OperationId)
            ?? throw new ArgumentException($"Operation {change.OperationId} is not scheduled.", nameof(change));
        var centre = centres.First(c => c.Id == job.WorkCentreId);
        if (change.MachineId is not null && !centre.Machines.Contains(change.MachineId))
        {
            throw new ArgumentException($"Machine {change.MachineId} is not in work centre {centre.Id}.", nameof(change));
        }

        var s = sequences.ToDictionary(p => p.Key, p => p.Value.ToList());
        var m = new Dictionary<long, string?>(machines);
        var sequence = s[job.WorkCentreId];
        sequence.Remove(job.OperationId);
        sequence.Insert(Math.Clamp(change.Position, 0, sequence.Count), job.OperationId);
        if (change.MachineId is not null)
        {
            m[job.OperationId] = change.MachineId;
        }

        return (s, m);
    }

    /// <summary>A forward pass: each machine takes its work centre's sequence in order, after the part's previous step ends.</summary>
    private Schedule Compute(long version, string reason, Dictionary<string, List<long>> s, Dictionary<long, string?> m, Schedule? before)
    {
        var byId = jobs.ToDictionary(j => j.OperationId);
        var ends = new Dictionary<long, DateTimeOffset>();
        var free = new Dictionary<string, DateTimeOffset>();
        var placed = new List<ScheduledOperation>();
        var next = s.ToDictionary(p => p.Key, _ => 0);
        bool progress = true;
        while (progress)
        {
            progress = false;
            foreach (var (centre, sequence) in s)
            {
                while (next[centre] < sequence.Count)
                {
                    var job = byId[sequence[next[centre]]];
                    DateTimeOffset ready = origin;
                    if (job.Step > 1)
                    {
                        if (!ends.TryGetValue(OperationId(job.Order, job.Step - 1), out var previous))
                        {
                            break;
                        }

                        ready = previous;
                    }

                    string lane = m[job.OperationId] ?? centre;
                    var start = Working(Max(ready, free.GetValueOrDefault(lane, origin)));
                    var end = Advance(start, job.Duration);
                    free[lane] = end;
                    ends[job.OperationId] = end;
                    placed.Add(new ScheduledOperation(job.OperationId, job.Order, job.Number, job.Part, job.Step, centre, m[job.OperationId], start, end,
                        job.Step == 1 && next[centre] == 0 ? OperationState.Running : OperationState.Ready));
                    next[centre]++;
                    progress = true;
                }
            }
        }

        var moves = before is null ? [] : placed
            .Join(before.Operations, p => p.OperationId, b => b.OperationId, (p, b) => new ScheduleMove(p.OperationId, p.OrderNumber, b.End, p.End))
            .Where(x => x.Was != x.Now)
            .OrderBy(x => x.OperationId)
            .ToList();
        return new Schedule(version, time.GetUtcNow(), reason, [.. placed.OrderBy(p => p.Start).ThenBy(p => p.OperationId)], Capacity(placed), Forecasts(placed), moves);
    }

    private List<CapacityDay> Capacity(List<ScheduledOperation> placed)
    {
        var zone = time.LocalTimeZone;
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(origin, zone).Date);
        var days = new List<CapacityDay>();
        foreach (var (id, centreMachines) in centres)
        {
            for (int d = 0; d < 21; d++)
            {
                var day = first.AddDays(d);
                bool working = day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
                var capacity = working ? TimeSpan.FromHours((DayEndHour - DayStartHour - 1) * Math.Max(1, centreMachines.Count)) : TimeSpan.Zero;
                var load = placed.Where(p => p.WorkCentreId == id && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(p.Start, zone).Date) == day)
                    .Aggregate(TimeSpan.Zero, (sum, p) => sum + (p.End - p.Start));
                days.Add(new CapacityDay(id, day, capacity, load));
            }
        }

        return days;
    }

    private List<OrderForecast> Forecasts(List<ScheduledOperation> placed) =>
        [.. jobs.GroupBy(j => j.Order).Select(g =>
        {
            var job = g.First();
            var projected = placed.Where(p => p.OrderId == g.Key).Max(p => p.End);
            var span = projected - origin;
            var p50 = projected + (span * 0.1);
            var p90 = projected + (span * 0.35);
            var due = new DateTimeOffset(job.Due.ToDateTime(new TimeOnly(DayEndHour, 0)), time.LocalTimeZone.GetUtcOffset(job.Due.ToDateTime(TimeOnly.MinValue)));
            return new OrderForecast(job.Order, job.Number, job.Customer, job.Due, job.Priority, projected, p50, p90, p90 > due);
        })];

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The first working moment at or after <paramref name="at"/> (06:00–22:00 plant time, Monday to Friday).</summary>
    private DateTimeOffset Working(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, time.LocalTimeZone);
        for (int guard = 0; guard < 14; guard++)
        {
            bool weekday = local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
            if (weekday && local.Hour >= DayStartHour && local.Hour < DayEndHour)
            {
                return local.ToUniversalTime();
            }

            var morning = local.Hour < DayStartHour && weekday ? local.Date.AddHours(DayStartHour) : local.Date.AddDays(1).AddHours(DayStartHour);
            local = new DateTimeOffset(morning, time.LocalTimeZone.GetUtcOffset(morning));
        }

        return local.ToUniversalTime();
    }

    private DateTimeOffset Advance(DateTimeOffset start, TimeSpan work)
    {
        var at = Working(start);
        while (work > TimeSpan.Zero)
        {
            var local = TimeZoneInfo.ConvertTime(at, time.LocalTimeZone);
            var evening = new DateTimeOffset(local.Date.AddHours(DayEndHour), local.Offset);
            var slice = evening - local < work ? evening - local : work;
            at = local + slice;
            work -= slice;
            if (work > TimeSpan.Zero)
            {
                at = Working(at);
            }
        }

        return at.ToUniversalTime();
    }

    private sealed record Job(long OperationId, int Order, string Number, string Customer, string Part, int Step, string WorkCentreId,
        TimeSpan Duration, DateOnly Due, int Priority);
}

internal static class PlanningStandInExtensions
{
    /// <summary>STAND-IN for <c>builder.AddPlanning()</c>: delete with this file.</summary>
    public static IHostApplicationBuilder AddPlanningStandIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Planner>();
        return builder;
    }
}
