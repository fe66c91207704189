using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// An alert a person resolved, in minutes of a machine's series: raised in minute <see cref="Raised"/>, resolved in
/// minute <see cref="Resolved"/> with <see cref="Verdict"/>.
/// </summary>
internal readonly record struct VerdictSpan(int Raised, int Resolved, AlertVerdict Verdict);

/// <summary>
/// What the features and labels of one machine are computed from: its minute rollups over a span, the operating
/// minutes since its last repair before the span (the end of its last failure alarm or its last repair closed by a work
/// order, whichever is later; the beginning of its history when there is neither), the minutes of the repairs within
/// the span, and the verdicts people gave its alerts.
/// </summary>
internal sealed class MachineHistory(MinuteSeries series, double operatingMinutesBefore, IReadOnlyList<int>? repairs = null, IReadOnlyList<VerdictSpan>? verdicts = null)
{
    /// <summary>The alarm codes of wear failures (the simulators' degradation processes): spindle bearing, blade dulling, glue heater.</summary>
    public static IReadOnlyList<short> FailureAlarms { get; } = [201, 101, 301];

    /// <summary>The signals read for <paramref name="machineClass"/>.</summary>
    public static IReadOnlyList<Signal> SignalsOf(MachineClass machineClass) =>
        [Signal.MachineState, Signal.PieceCounter, Signal.Power, Signal.Alarm, Signal.Warning, Signal.CycleTime, .. MachineFeatures.ConditionSignals(machineClass).Select(c => c.Signal)];

    public MinuteSeries Series { get; } = series;

    /// <summary>Operating minutes (machine on) from the last repair to the start of <see cref="Series"/>.</summary>
    public double OperatingMinutesBefore { get; } = operatingMinutesBefore;

    /// <summary>The weight in training of a healthy instant within an alert a person called a false alarm: the model was wrong there.</summary>
    public const float FalseAlarmWeight = 3;

    /// <summary>The minutes of the repairs closed by work orders within <see cref="Series"/>, ascending: each starts the operating hours again.</summary>
    public IReadOnlyList<int> Repairs { get; } = repairs ?? [];

    /// <summary>The alerts of the machine people resolved, with their verdicts.</summary>
    public IReadOnlyList<VerdictSpan> Verdicts { get; } = verdicts ?? [];

    public static bool IsFailureAlarm(float code) => code is 201f or 101f or 301f;

    /// <summary>
    /// Reads [from, to) of <paramref name="machine"/>, the operating time since its last repair before it, and the
    /// repairs (<c>maintenance_repairs</c>) and alert verdicts (<c>maintenance_alerts</c>) within it.
    /// </summary>
    public static async Task<MachineHistory> ReadAsync(NpgsqlDataSource dataSource, string machine, MachineClass machineClass,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var series = await MinuteSeries.ReadAsync(dataSource, machine, [.. SignalsOf(machineClass)], from, to, ct).ConfigureAwait(false);
        var end = series.Origin.AddMinutes(series.Minutes);
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT count(*) FROM telemetry_rollup_minute
            WHERE machine = $1 AND signal = $2 AND max >= 1 AND minute < $4
              AND minute > COALESCE(GREATEST(
                  (SELECT max(minute) FROM telemetry_rollup_minute WHERE machine = $1 AND signal = $3 AND minute < $4 AND max = ANY($5)),
                  (SELECT max("RepairedAt") FROM maintenance_repairs WHERE "MachineId" = $1 AND "RepairedAt" < $4)), '-infinity')
            """)
        {
            Parameters =
            {
                new() { Value = machine }, new() { Value = (short)Signal.MachineState }, new() { Value = (short)Signal.Alarm },
                new() { Value = series.Origin }, new() { Value = FailureAlarms.Select(a => (double)a).ToArray() },
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT "RepairedAt" FROM maintenance_repairs WHERE "MachineId" = $1 AND "RepairedAt" >= $2 AND "RepairedAt" < $3 ORDER BY "RepairedAt"
            """)
        {
            Parameters = { new() { Value = machine }, new() { Value = series.Origin }, new() { Value = end } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT "RaisedAt", "ResolvedAt", "Verdict" FROM maintenance_alerts
            WHERE "MachineId" = $1 AND "Status" = 2 AND "ResolvedAt" >= $2 AND "RaisedAt" < $3 ORDER BY "RaisedAt"
            """)
        {
            Parameters = { new() { Value = machine }, new() { Value = series.Origin }, new() { Value = end } },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        double before = reader.GetInt64(0);
        var repairs = new List<int>();
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            repairs.Add(series.MinuteOf(reader.GetFieldValue<DateTimeOffset>(0)));
        }

        var verdicts = new List<VerdictSpan>();
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            verdicts.Add(new VerdictSpan(series.MinuteOf(reader.GetFieldValue<DateTimeOffset>(0)), series.MinuteOf(reader.GetFieldValue<DateTimeOffset>(1)),
                (AlertVerdict)reader.GetInt16(2)));
        }

        return new MachineHistory(series, before, repairs, verdicts);
    }

    /// <summary>The minutes at which a failure alarm starts (a wear failure), ascending.</summary>
    public IReadOnlyList<int> FailureStarts() => AlarmStarts(IsFailureAlarm);

    /// <summary>
    /// The failures the labels look ahead to, ascending: the failure alarms, and the resolutions of alerts people called
    /// a true failure or a prevented one when no failure alarm started while the alert was open (a repair that prevented
    /// a failure leaves no alarm, yet what came before it is what the model must learn to see).
    /// </summary>
    public IReadOnlyList<int> Failures()
    {
        var alarms = FailureStarts();
        var told = Verdicts
            .Where(v => v.Verdict is AlertVerdict.TrueFailure or AlertVerdict.Prevented && !alarms.Any(a => a >= v.Raised && a <= v.Resolved))
            .Select(v => v.Resolved);
        return [.. alarms.Concat(told).Distinct().Order()];
    }

    /// <summary>
    /// The training weight of each instant: <see cref="FalseAlarmWeight"/> for a healthy one (label false) within an alert
    /// a person called a false alarm, 1 otherwise.
    /// </summary>
    public float[] Weights(IReadOnlyList<int> minutes, IReadOnlyList<bool?> labels)
    {
        var weights = new float[minutes.Count];
        for (var i = 0; i < minutes.Count; i++)
        {
            var m = minutes[i];
            weights[i] = labels[i] == false && Verdicts.Any(v => v.Verdict == AlertVerdict.FalseAlarm && m >= v.Raised && m <= v.Resolved) ? FalseAlarmWeight : 1;
        }

        return weights;
    }

    /// <summary>The minutes at which another non-zero alarm starts (a sudden fault: jam, breakage), ascending.</summary>
    public IReadOnlyList<int> SuddenStarts() => AlarmStarts(code => code != 0 && !IsFailureAlarm(code));

    /// <summary>Whether the machine is failed or under repair just before the instant at minute <paramref name="minute"/>.</summary>
    public bool Down(int minute) =>
        (Series.Has(Signal.Alarm, minute - 1) && Series.Max(Signal.Alarm, minute - 1) != 0)
        || (Series.Has(Signal.MachineState, minute - 1) && Series.Max(Signal.MachineState, minute - 1) >= 4);

    /// <summary>
    /// Labels of the instants at <paramref name="minutes"/>: true when a failure (<see cref="Failures"/>) starts within
    /// (instant, instant + horizon]; null when the machine is down at the instant or the series ends before the horizon does.
    /// </summary>
    public bool?[] Labels(IReadOnlyList<int> minutes, TimeSpan horizon)
    {
        var failures = Failures();
        var span = (int)horizon.TotalMinutes;
        var labels = new bool?[minutes.Count];
        for (var i = 0; i < minutes.Count; i++)
        {
            var m = minutes[i];
            if (Down(m) || m + span > Series.Minutes)
            {
                continue;
            }

            // A failure alarm that starts in minute f began at or after minute f's start: within (m, m + span] when m <= f < m + span.
            var next = NextAtOrAfter(failures, m);
            labels[i] = next >= 0 && failures[next] < m + span;
        }

        return labels;
    }

    private static int NextAtOrAfter(IReadOnlyList<int> sorted, int minute)
    {
        var lo = 0;
        var hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < minute)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < sorted.Count ? lo : -1;
    }

    private List<int> AlarmStarts(Func<float, bool> matches)
    {
        var starts = new List<int>();
        var before = false;
        for (var m = 0; m < Series.Minutes; m++)
        {
            var now = Series.Has(Signal.Alarm, m) && matches(Series.Max(Signal.Alarm, m));
            if (now && !before)
            {
                starts.Add(m);
            }

            before = now;
        }

        return starts;
    }
}
