using System.Globalization;

using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Oee;

/// <summary>
/// OEE as the dashboard, the shift report and the API read it: rows per machine, work centre or order and per shift, day
/// or week (sums of the machines' shift figures, <see cref="OeeShifts"/>), the downtime Pareto by stop reason and scrap by
/// reason. One computation, so the dashboard and the shift report agree.
/// </summary>
internal sealed class OeeQuery(OeeShifts shifts, SignalChanges changes, ProductionDbContext db, TimeProvider time)
{
    public const string Unexplained = "unexplained";

    public async Task<IReadOnlyList<OeeRow>> RowsAsync(OeeScope scope, OeePeriod period, DateTimeOffset from, DateTimeOffset to, string? key, CancellationToken ct)
    {
        var plans = await shifts.PlansAsync(ct);
        plans = scope switch
        {
            OeeScope.Machine when key is not null => [.. plans.Where(p => p.MachineId == key)],
            OeeScope.WorkCentre when key is not null => [.. plans.Where(p => p.WorkCentreId == key)],
            _ => plans,
        };
        var figures = await shifts.ReadAsync(plans, from, to, ct);
        var rows = scope == OeeScope.Order ? await OrderRowsAsync(figures, key, ct) : figures.Where(f => f.OrderId == 0).Select(f => scope == OeeScope.Machine
            ? (Key: f.Machine.MachineId, Name: f.Machine.MachineId, Figures: f)
            : (Key: f.Machine.WorkCentreId, Name: f.Machine.WorkCentreName, Figures: f));
        return [.. rows
            .GroupBy(r => (r.Key, Period: PeriodOf(period, r.Figures.Shift)))
            .Select(g => new OeeRow(g.Key.Key, g.First().Name, g.Key.Period.From, g.Key.Period.To, g.Key.Period.Label, OeeFigures.Sum(g.Select(r => r.Figures.Figures))))
            .OrderBy(r => r.From).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    private async Task<IEnumerable<(string Key, string Name, ShiftFigures Figures)>> OrderRowsAsync(IReadOnlyList<ShiftFigures> figures, string? key, CancellationToken ct)
    {
        var ids = figures.Where(f => f.OrderId != 0).Select(f => f.OrderId).Distinct().ToList();
        var orders = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Number, o.Customer }).ToDictionaryAsync(o => o.Id, ct);
        return figures
            .Where(f => f.OrderId != 0 && orders.ContainsKey(f.OrderId) && (key is null || orders[f.OrderId].Number == key))
            .Select(f => (orders[f.OrderId].Number, orders[f.OrderId].Customer, f));
    }

    /// <summary>The period a shift counts in: itself, the day it starts on, or that day's ISO week.</summary>
    private (DateTimeOffset From, DateTimeOffset To, string Label) PeriodOf(OeePeriod period, ShiftOccurrence shift)
    {
        var zone = shifts.Zone;
        switch (period)
        {
            case OeePeriod.Shift:
                return (shift.Span.From, shift.Span.To, shift.Label);
            case OeePeriod.Day:
                return (ShiftOccurrences.ToInstant(shift.Day, TimeOnly.MinValue, zone), ShiftOccurrences.ToInstant(shift.Day.AddDays(1), TimeOnly.MinValue, zone),
                    shift.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            default:
                var monday = ShiftOccurrences.WeekStart(shift.Day);
                return (ShiftOccurrences.ToInstant(monday, TimeOnly.MinValue, zone), ShiftOccurrences.ToInstant(monday.AddDays(7), TimeOnly.MinValue, zone),
                    ShiftOccurrences.WeekLabel(shift.Day));
        }
    }

    /// <summary>
    /// Planned time lost in stops in shifts starting in [<paramref name="from"/>, <paramref name="to"/>), by the reason
    /// operators gave (most time first); stops nobody explained are <see cref="Unexplained"/>. Adds up to delay + down.
    /// </summary>
    public async Task<IReadOnlyList<DowntimeLoss>> DowntimeAsync(DateTimeOffset from, DateTimeOffset to, string? workCentreId, CancellationToken ct)
    {
        var plans = await PlansAsync(workCentreId, ct);
        var now = time.GetUtcNow();
        var losses = new Dictionary<string, (long Ticks, int Stops)>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            var occurrences = shifts.Occurrences(plan, from, to).Where(s => s.Span.From >= from && s.Span.From < to && s.Span.From < now).ToList();
            if (occurrences.Count == 0)
            {
                continue;
            }

            // The states over all the shifts, to find where a stop under way at a shift's start began.
            var read = new TimeRange(occurrences.Min(s => s.Span.From), now);
            var states = await changes.ReadAsync(plan.MachineId, Signal.MachineState, read, ct);
            var machineStops = new List<(StopTime Stop, DateTimeOffset Until, DateTimeOffset LookFrom)>();
            foreach (var computed in await shifts.ComputeAsync(plan, occurrences, now, ct, withPieces: false))
            {
                for (var i = 0; i < computed.Stops.Count; i++)
                {
                    var stop = computed.Stops[i];
                    // A stop under way when the shift began started earlier: its reason is keyed by when its state began.
                    var lookFrom = stop.Since == computed.Shift.Span.From && stop.State is { } state
                        ? await RunStartAsync(plan.MachineId, states, read.From, state, stop.Since, ct) ?? stop.Since
                        : stop.Since;
                    // It ends where the next stop begins (a Working between them), else where the shift was computed to.
                    machineStops.Add((stop, i + 1 < computed.Stops.Count ? computed.Stops[i + 1].Since : computed.Until, lookFrom));
                }
            }

            if (machineStops.Count == 0)
            {
                continue;
            }

            var earliest = machineStops.Min(s => s.LookFrom);
            var latest = machineStops.Max(s => s.Until);
            var reasons = await db.Stops.AsNoTracking()
                .Where(s => s.MachineId == plan.MachineId && s.Since >= earliest && s.Since < latest)
                .OrderBy(s => s.Since).Select(s => new { s.Since, s.Reason }).ToListAsync(ct);
            foreach (var (stop, until, lookFrom) in machineStops)
            {
                var reason = reasons.FirstOrDefault(r => r.Since >= lookFrom && r.Since < until);
                var name = reason is null ? Unexplained : ShopFloor.Wire(reason.Reason);
                var (ticks, count) = losses.GetValueOrDefault(name);
                losses[name] = (ticks + stop.Time.Ticks, count + 1);
            }
        }

        return [.. losses.Select(l => new DowntimeLoss(l.Key, TimeSpan.FromTicks(l.Value.Ticks), l.Value.Stops))
            .OrderByDescending(l => l.Time).ThenBy(l => l.Reason, StringComparer.Ordinal)];
    }

    /// <summary>Scrap reported in [<paramref name="from"/>, <paramref name="to"/>) on the machines in scope, by reason (most first).</summary>
    public async Task<IReadOnlyList<ScrapLoss>> ScrapAsync(DateTimeOffset from, DateTimeOffset to, string? workCentreId, CancellationToken ct)
    {
        var machines = (await PlansAsync(workCentreId, ct)).Select(p => p.MachineId).ToList();
        var rows = await db.Reports.AsNoTracking()
            .Where(r => r.At >= from && r.At < to && r.Scrap != 0 && r.ScrapReason != null)
            .Join(db.Operations, r => r.OperationId, o => o.Id, (r, o) => new { r.Scrap, r.ScrapReason, o.MachineId })
            .Where(r => r.MachineId != null && machines.Contains(r.MachineId))
            .GroupBy(r => r.ScrapReason)
            .Select(g => new { Reason = g.Key, Pieces = g.Sum(r => (long)r.Scrap) })
            .ToListAsync(ct);
        return [.. rows.Where(r => r.Pieces != 0).Select(r => new ScrapLoss(ShopFloor.Wire(r.Reason!.Value), r.Pieces))
            .OrderByDescending(r => r.Pieces).ThenBy(r => r.Reason, StringComparer.Ordinal)];
    }

    /// <summary>The work centre's shift that <paramref name="at"/> falls in: its total, machines, stops and scrap; null when none.</summary>
    public async Task<ShiftReport?> ShiftReportAsync(string workCentreId, DateTimeOffset at, CancellationToken ct)
    {
        var centre = await db.WorkCentres.AsNoTracking().SingleOrDefaultAsync(c => c.Id == workCentreId, ct);
        if (centre is null || ShiftOccurrences.At(centre.Calendar, shifts.Zone, at) is not { } shift)
        {
            return null;
        }

        var (from, to) = (shift.Span.From, shift.Span.From.AddTicks(1));
        var figures = await shifts.ReadAsync(await PlansAsync(workCentreId, ct), from, to, ct);
        var machines = figures.Where(f => f.OrderId == 0 && f.Shift.Span.From == shift.Span.From)
            .Select(f => new OeeRow(f.Machine.MachineId, f.Machine.MachineId, shift.Span.From, shift.Span.To, shift.Label, f.Figures))
            .OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        var downtime = await DowntimeAsync(from, to, workCentreId, ct);
        var scrap = await ScrapAsync(shift.Span.From, shift.Span.To, workCentreId, ct);
        return new ShiftReport(centre.Id, centre.Name, shift.Label, shift.Span.From, shift.Span.To, OeeFigures.Sum(machines.Select(m => m.Figures)), machines, downtime, scrap);
    }

    /// <summary>
    /// When the machine entered <paramref name="state"/>, which it was in at <paramref name="at"/>: the earliest of the
    /// changes read from <paramref name="readFrom"/> on that runs on in that state up to <paramref name="at"/>, else (it
    /// began before) asked of the history.
    /// </summary>
    private async Task<DateTimeOffset?> RunStartAsync(string machine, IReadOnlyList<SignalChange> states, DateTimeOffset readFrom, MachineState state, DateTimeOffset at, CancellationToken ct)
    {
        var i = states.Count - 1;
        while (i >= 0 && states[i].Time > at)
        {
            i--;
        }

        while (i > 0 && StateTimeline.StateOf(states[i - 1].Value) == state)
        {
            i--;
        }

        if (i >= 0 && StateTimeline.StateOf(states[i].Value) == state && (states[i].Time >= readFrom || i > 0))
        {
            return states[i].Time;
        }

        return await changes.RunStartAsync(machine, Signal.MachineState, (double)state, at, ct);
    }

    private async Task<IReadOnlyList<MachinePlan>> PlansAsync(string? workCentreId, CancellationToken ct) =>
        [.. (await shifts.PlansAsync(ct)).Where(p => workCentreId is null || p.WorkCentreId == workCentreId)];
}
