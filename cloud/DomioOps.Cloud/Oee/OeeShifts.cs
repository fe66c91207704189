using DomioOps.Cloud.History;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Oee;

/// <summary>A machine of a work centre, with what its OEE is computed against.</summary>
internal sealed record MachinePlan(string MachineId, string WorkCentreId, string WorkCentreName, WorkCalendar Calendar, decimal CycleSeconds)
{
    /// <summary>Planned maintenance windows of the machine (its own and its work centre's), cut from planned time.</summary>
    public IReadOnlyList<TimeRange> Maintenance { get; init; } = [];

    public TimeSpan IdealCycle => TimeSpan.FromTicks((long)(CycleSeconds * TimeSpan.TicksPerSecond));
}

/// <summary>One machine's shift occurrence: the whole (<see cref="OrderId"/> 0) or the part one order's operations ran.</summary>
internal sealed record ShiftFigures(MachinePlan Machine, ShiftOccurrence Shift, long OrderId, OeeFigures Figures);

/// <summary>A machine's shift computed: the whole, per order, and the stops.</summary>
internal sealed record ShiftComputation(MachinePlan Machine, ShiftOccurrence Shift, DateTimeOffset Until, OeeFigures Total,
    IReadOnlyDictionary<long, OeeFigures> Orders, IReadOnlyList<StopTime> Stops);

/// <summary>
/// The one code path from samples to a machine's shift figures (<c>ComputeAsync</c>), used by the recomputation that
/// stores ended shifts and by the reads that compute the open shift up to now; and the store of ended shifts
/// (<c>oee_shift</c>). Reads only the machine's samples of the shifts' windows (and the one sample before them).
/// </summary>
internal sealed class OeeShifts(
    HistoryDatabase history, SignalChanges changes, IServiceScopeFactory scopes, ShiftCalendar plant, IOptions<HistoryOptions> historyOptions, TimeProvider time)
{
    private const string CounterSamples = """
        (SELECT ts, sequence, number FROM telemetry_sample
         WHERE machine = @machine AND signal = @signal AND ts < @from AND number IS NOT NULL
         ORDER BY ts DESC, sequence DESC LIMIT 1)
        UNION ALL
        (SELECT ts, sequence, number FROM telemetry_sample
         WHERE machine = @machine AND signal = @signal AND ts >= @from AND ts < @to AND number IS NOT NULL
         ORDER BY ts, sequence)
        ORDER BY ts, sequence
        """;

    private const string Runs = """
        SELECT r."OrderId", r."From", r."To", o."CycleSeconds" FROM production_operation_runs r
        JOIN production_operations o ON o."Id" = r."OperationId"
        WHERE r."MachineId" = @machine AND r."From" < @to AND (r."To" IS NULL OR r."To" > @from)
        ORDER BY r."From"
        """;

    private const string Scrap = """
        SELECT p."At", p."Scrap", o."OrderId" FROM production_reports p
        JOIN production_operations o ON o."Id" = p."OperationId"
        WHERE o."MachineId" = @machine AND p."At" >= @from AND p."At" < @to AND p."Scrap" <> 0
        """;

    private const string Upsert = """
        INSERT INTO oee_shift AS s (machine, shift_start, order_id, shift_end, shift_name, local_day, work_centre,
            planned_ticks, run_ticks, delay_ticks, down_ticks, pieces, scrap, ideal_ticks, computed_at)
        SELECT @machine, @start, o, @end, @name, @day, @centre, p, r, d, w, q, s, i, @now
        FROM unnest(@orders, @planned, @run, @delay, @down, @pieces, @scrap, @ideal) AS t(o, p, r, d, w, q, s, i)
        ON CONFLICT (machine, shift_start, order_id) DO UPDATE SET
            shift_end = excluded.shift_end, shift_name = excluded.shift_name, local_day = excluded.local_day,
            work_centre = excluded.work_centre, planned_ticks = excluded.planned_ticks, run_ticks = excluded.run_ticks,
            delay_ticks = excluded.delay_ticks, down_ticks = excluded.down_ticks, pieces = excluded.pieces,
            scrap = excluded.scrap, ideal_ticks = excluded.ideal_ticks, computed_at = excluded.computed_at
        """;

    private const string Stored = """
        SELECT machine, shift_start, order_id, planned_ticks, run_ticks, delay_ticks, down_ticks, pieces, scrap, ideal_ticks
        FROM oee_shift WHERE shift_start >= @from AND shift_start < @to AND machine = ANY(@machines)
        """;

    /// <summary>How much history one read covers at most when many shifts are computed: a week of a busy machine's counter.</summary>
    private static readonly TimeSpan ReadSpan = TimeSpan.FromDays(7);

    public TimeZoneInfo Zone => plant.Zone;

    /// <summary>Every machine in a work centre, with its centre's calendar and standard cycle.</summary>
    public async Task<IReadOnlyList<MachinePlan>> PlansAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centres = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).ToListAsync(ct);
        // Planned maintenance (Planning/MaintenanceWindows.cs) is outside planned time, as breaks are.
        var maintenance = new List<(string Machine, TimeRange Window)>();
        await using (var command = history.DataSource.CreateCommand("""SELECT "MachineId", "From", "To" FROM planning_maintenance"""))
        {
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                maintenance.Add((reader.GetString(0), new TimeRange(Utc(reader.GetDateTime(1)), Utc(reader.GetDateTime(2)))));
            }
        }

        return [.. centres.SelectMany(c => c.Machines.Select(m => new MachinePlan(m.MachineId, c.Id, c.Name, c.Calendar, c.CycleSeconds)
            {
                Maintenance = [.. maintenance.Where(w => w.Machine == m.MachineId).Select(w => w.Window)],
            }))
            .OrderBy(p => p.MachineId, StringComparer.Ordinal)];
    }

    /// <summary>The machine's shift occurrences overlapping [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public IReadOnlyList<ShiftOccurrence> Occurrences(MachinePlan machine, DateTimeOffset from, DateTimeOffset to) =>
        ShiftOccurrences.Overlapping(machine.Calendar, plant.Zone, from, to, machine.Maintenance);

    /// <summary>
    /// The machine's figures of <paramref name="shift"/> up to <paramref name="until"/> (its end, or now while it runs):
    /// the whole, per order that ran in it, and its stops. <paramref name="withPieces"/> false reads the states only.
    /// </summary>
    public async Task<ShiftComputation> ComputeAsync(MachinePlan machine, ShiftOccurrence shift, DateTimeOffset until, CancellationToken ct, bool withPieces = true) =>
        (await ComputeAsync(machine, [shift], until, ct, withPieces).ConfigureAwait(false))[0];

    /// <summary>
    /// <see cref="ComputeAsync(MachinePlan, ShiftOccurrence, DateTimeOffset, CancellationToken, bool)"/> for several shifts
    /// of one machine, in their order: the history is read once per stretch of up to <see cref="ReadSpan"/> of them, not
    /// once per shift.
    /// </summary>
    public async Task<IReadOnlyList<ShiftComputation>> ComputeAsync(MachinePlan machine, IReadOnlyList<ShiftOccurrence> shifts, DateTimeOffset until, CancellationToken ct, bool withPieces = true)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(shifts);
        var results = new ShiftComputation[shifts.Count];
        var order = Enumerable.Range(0, shifts.Count).OrderBy(i => shifts[i].Span.From).ToList();
        for (var first = 0; first < order.Count;)
        {
            var last = first;
            while (last + 1 < order.Count && shifts[order[last + 1]].Span.From - shifts[order[first]].Span.From < ReadSpan)
            {
                last++;
            }

            var stretch = order.GetRange(first, last - first + 1);
            var windows = stretch.Select(i => Window(shifts[i], until)).Where(w => w.To > w.From).ToList();
            var record = windows.Count == 0
                ? MachineRecord.Empty
                : await RecordAsync(machine, new TimeRange(windows.Min(w => w.From), windows.Max(w => w.To)), withPieces, ct).ConfigureAwait(false);
            foreach (var i in stretch)
            {
                results[i] = Compute(machine, shifts[i], Window(shifts[i], until), record);
            }

            first = last + 1;
        }

        return results;
    }

    /// <summary>Computes the ended <paramref name="shifts"/> of one machine and stores them in one transaction, replacing what was stored.</summary>
    public async Task<IReadOnlyList<ShiftComputation>> StoreAsync(MachinePlan machine, IReadOnlyList<ShiftOccurrence> shifts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        if (shifts.Count == 0)
        {
            return [];
        }

        var computed = await ComputeAsync(machine, shifts, DateTimeOffset.MaxValue, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await history.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var shift in computed)
        {
            var rows = new List<(long Order, OeeFigures Figures)> { (0, shift.Total) };
            rows.AddRange(shift.Orders.Select(o => (o.Key, o.Value)));
            var upsert = new NpgsqlBatchCommand(Upsert);
            upsert.Parameters.AddWithValue("machine", machine.MachineId);
            upsert.Parameters.AddWithValue("start", shift.Shift.Span.From.UtcDateTime);
            upsert.Parameters.AddWithValue("end", shift.Shift.Span.To.UtcDateTime);
            upsert.Parameters.AddWithValue("name", shift.Shift.Name);
            upsert.Parameters.AddWithValue("day", shift.Shift.Day);
            upsert.Parameters.AddWithValue("centre", machine.WorkCentreId);
            upsert.Parameters.AddWithValue("now", now);
            upsert.Parameters.AddWithValue("orders", rows.Select(r => r.Order).ToArray());
            upsert.Parameters.AddWithValue("planned", rows.Select(r => r.Figures.PlannedTime.Ticks).ToArray());
            upsert.Parameters.AddWithValue("run", rows.Select(r => r.Figures.RunTime.Ticks).ToArray());
            upsert.Parameters.AddWithValue("delay", rows.Select(r => r.Figures.DelayTime.Ticks).ToArray());
            upsert.Parameters.AddWithValue("down", rows.Select(r => r.Figures.DownTime.Ticks).ToArray());
            upsert.Parameters.AddWithValue("pieces", rows.Select(r => r.Figures.Pieces).ToArray());
            upsert.Parameters.AddWithValue("scrap", rows.Select(r => r.Figures.Scrap).ToArray());
            upsert.Parameters.AddWithValue("ideal", rows.Select(r => r.Figures.IdealTime.Ticks).ToArray());
            batch.BatchCommands.Add(upsert);

            // An order that no longer ran in the shift (a late correction of the runs) keeps no row.
            var stale = new NpgsqlBatchCommand("DELETE FROM oee_shift WHERE machine = @machine AND shift_start = @start AND order_id <> ALL(@orders)");
            stale.Parameters.AddWithValue("machine", machine.MachineId);
            stale.Parameters.AddWithValue("start", shift.Shift.Span.From.UtcDateTime);
            stale.Parameters.AddWithValue("orders", rows.Select(r => r.Order).ToArray());
            batch.BatchCommands.Add(stale);
        }

        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return computed;
    }

    /// <summary>
    /// The figures of every shift occurrence of <paramref name="machines"/> starting in [<paramref name="from"/>,
    /// <paramref name="to"/>) and begun by now: stored when it has ended (computed and stored now if it was not yet),
    /// computed up to now when it runs. Whole shifts and the orders' parts.
    /// </summary>
    public async Task<IReadOnlyList<ShiftFigures>> ReadAsync(IReadOnlyList<MachinePlan> machines, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stored = new Dictionary<(string Machine, DateTimeOffset Start), List<(long Order, OeeFigures Figures)>>();
        await using (var command = history.DataSource.CreateCommand(Stored))
        {
            command.Parameters.AddWithValue("from", from.UtcDateTime);
            command.Parameters.AddWithValue("to", to.UtcDateTime);
            command.Parameters.AddWithValue("machines", machines.Select(m => m.MachineId).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var key = (reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero));
                var figures = new OeeFigures(TimeSpan.FromTicks(reader.GetInt64(3)), TimeSpan.FromTicks(reader.GetInt64(4)), TimeSpan.FromTicks(reader.GetInt64(5)),
                    TimeSpan.FromTicks(reader.GetInt64(6)), reader.GetInt64(7), reader.GetInt64(8), TimeSpan.FromTicks(reader.GetInt64(9)));
                if (!stored.TryGetValue(key, out var list))
                {
                    stored[key] = list = [];
                }

                list.Add((reader.GetInt64(2), figures));
            }
        }

        // Before the history kept begins there are no samples to compute from: only what was stored then counts.
        var kept = new DateTimeOffset(HistoryOptions.OldestKeptDay(now, historyOptions.Value.RetentionDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var result = new List<ShiftFigures>();
        foreach (var machine in machines)
        {
            var ended = new List<ShiftOccurrence>();
            var open = new List<ShiftOccurrence>();
            foreach (var shift in Occurrences(machine, from, to).Where(s => s.Span.From >= from && s.Span.From < to && s.Span.From < now))
            {
                if (shift.Span.To <= now && stored.TryGetValue((machine.MachineId, shift.Span.From), out var rows) && rows.Any(r => r.Order == 0))
                {
                    result.AddRange(rows.Select(r => new ShiftFigures(machine, shift, r.Order, r.Figures)));
                }
                else if (shift.Span.From >= kept)
                {
                    (shift.Span.To <= now ? ended : open).Add(shift);
                }
            }

            // Ended shifts not stored yet are stored now; the open one is computed up to now: the same computation as the store's.
            foreach (var computed in (await StoreAsync(machine, ended, ct).ConfigureAwait(false)).Concat(await ComputeAsync(machine, open, now, ct).ConfigureAwait(false)))
            {
                result.Add(new ShiftFigures(machine, computed.Shift, 0, computed.Total));
                result.AddRange(computed.Orders.Select(o => new ShiftFigures(machine, computed.Shift, o.Key, o.Value)));
            }
        }

        return result;
    }

    /// <summary>The part of <paramref name="shift"/> computed: from its start to its end or <paramref name="until"/>, whichever is first.</summary>
    private static TimeRange Window(ShiftOccurrence shift, DateTimeOffset until) => new(shift.Span.From, until < shift.Span.To ? until : shift.Span.To);

    /// <summary>The figures of one shift from what <paramref name="record"/> holds of its window (and before it).</summary>
    private static ShiftComputation Compute(MachinePlan machine, ShiftOccurrence shift, TimeRange window, MachineRecord record)
    {
        if (window.To <= window.From)
        {
            return new ShiftComputation(machine, shift, window.To, OeeFigures.Zero, new Dictionary<long, OeeFigures>(), []);
        }

        var states = StateTimeline.Intervals(record.States, window.From, window.To);
        var runs = record.Runs.Where(r => r.From < window.To && (r.To is not { } end || end > window.From)).ToList();
        var pieces = record.Pieces.Where(p => p.At >= window.From && p.At < window.To).ToList();
        var scrap = record.Scrap.Where(s => s.Count.At >= window.From && s.Count.At < window.To).ToList();

        var whole = OeeCalculator.Compute(new OeeInput(window, shift.Planned, states, pieces, [.. scrap.Select(s => s.Count)], machine.IdealCycle));
        var orders = new Dictionary<long, OeeFigures>();
        foreach (var order in runs.Select(r => r.OrderId).Distinct())
        {
            // The order's part of the shift: its planned time while its operations ran, the pieces counted then.
            var ran = runs.Where(r => r.OrderId == order).Select(r => new TimeRange(r.From, r.To ?? window.To)).ToList();
            var planned = Intersect(shift.Planned, ran);
            orders[order] = OeeCalculator.Compute(new OeeInput(window, planned, states, pieces, [.. scrap.Where(s => s.OrderId == order).Select(s => s.Count)], machine.IdealCycle)).Figures;
        }

        return new ShiftComputation(machine, shift, window.To, whole.Figures, orders, whole.Stops);
    }

    /// <summary>What the history holds of one machine over a window (<paramref name="withPieces"/> false: its states only).</summary>
    private async Task<MachineRecord> RecordAsync(MachinePlan machine, TimeRange window, bool withPieces, CancellationToken ct)
    {
        var states = await changes.ReadAsync(machine.MachineId, Signal.MachineState, window, ct).ConfigureAwait(false);
        if (!withPieces)
        {
            return MachineRecord.Empty with { States = states };
        }

        var runs = await RunsAsync(machine.MachineId, window, ct).ConfigureAwait(false);
        var pieces = await PiecesAsync(machine, window, runs, ct).ConfigureAwait(false);
        var scrap = await ScrapAsync(machine.MachineId, window, ct).ConfigureAwait(false);
        return new MachineRecord(states, runs, pieces, scrap);
    }

    /// <summary>
    /// One machine's history over a window: its state changes (the one before the window first), the runs of operations,
    /// the counter's increments (at the cycle of the operation running then) and the scrap reported.
    /// </summary>
    private sealed record MachineRecord(IReadOnlyList<SignalChange> States, List<(long OrderId, DateTimeOffset From, DateTimeOffset? To, decimal CycleSeconds)> Runs,
        List<PieceIncrement> Pieces, List<(ScrapCount Count, long OrderId)> Scrap)
    {
        public static MachineRecord Empty { get; } = new([], [], [], []);
    }

    private async Task<List<(long OrderId, DateTimeOffset From, DateTimeOffset? To, decimal CycleSeconds)>> RunsAsync(string machine, TimeRange window, CancellationToken ct)
    {
        await using var command = history.DataSource.CreateCommand(Runs);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("from", window.From.UtcDateTime);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        var runs = new List<(long, DateTimeOffset, DateTimeOffset?, decimal)>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            runs.Add((reader.GetInt64(0), Utc(reader.GetDateTime(1)), reader.IsDBNull(2) ? null : Utc(reader.GetDateTime(2)), reader.GetDecimal(3)));
        }

        return runs;
    }

    /// <summary>
    /// The counter's increments in the window: each sample less the one before it (the last before the window included);
    /// a counter that falls starts a new run, which counts whole; the first sample the history has is a baseline. Each
    /// increment is made at the cycle of the operation running then, else the work centre's.
    /// </summary>
    private async Task<List<PieceIncrement>> PiecesAsync(MachinePlan machine, TimeRange window,
        List<(long OrderId, DateTimeOffset From, DateTimeOffset? To, decimal CycleSeconds)> runs, CancellationToken ct)
    {
        await using var command = history.DataSource.CreateCommand(CounterSamples);
        command.Parameters.AddWithValue("machine", machine.MachineId);
        command.Parameters.AddWithValue("signal", (short)Signal.PieceCounter);
        command.Parameters.AddWithValue("from", window.From.UtcDateTime);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        var pieces = new List<PieceIncrement>();
        double? previous = null;
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var at = Utc(reader.GetDateTime(0));
            var raw = reader.GetDouble(2);
            if (previous is { } last && at >= window.From)
            {
                var count = (long)(raw >= last ? raw - last : raw);
                if (count > 0)
                {
                    var run = runs.FindLast(r => r.From <= at && (r.To is not { } end || at < end));
                    TimeSpan? cycle = run.CycleSeconds > 0 ? TimeSpan.FromTicks((long)(run.CycleSeconds * TimeSpan.TicksPerSecond)) : null;
                    pieces.Add(new PieceIncrement(at, count, cycle));
                }
            }

            previous = raw;
        }

        return pieces;
    }

    private async Task<List<(ScrapCount Count, long OrderId)>> ScrapAsync(string machine, TimeRange window, CancellationToken ct)
    {
        await using var command = history.DataSource.CreateCommand(Scrap);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("from", window.From.UtcDateTime);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        var scrap = new List<(ScrapCount, long)>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            scrap.Add((new ScrapCount(Utc(reader.GetDateTime(0)), reader.GetInt32(1)), reader.GetInt64(2)));
        }

        return scrap;
    }

    private static List<TimeRange> Intersect(IReadOnlyList<TimeRange> planned, List<TimeRange> ran)
    {
        var result = new List<TimeRange>();
        foreach (var plannedRange in planned)
        {
            foreach (var runRange in ran)
            {
                var from = plannedRange.From > runRange.From ? plannedRange.From : runRange.From;
                var to = plannedRange.To < runRange.To ? plannedRange.To : runRange.To;
                if (to > from)
                {
                    result.Add(new TimeRange(from, to));
                }
            }
        }

        return result;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
}
