using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// What the features and labels of one machine are computed from: its minute rollups over a span and the operating
/// minutes since its last repair before the span (the end of its last failure alarm; the beginning of its history
/// when it never failed).
/// </summary>
internal sealed class MachineHistory(MinuteSeries series, double operatingMinutesBefore)
{
    /// <summary>The alarm codes of wear failures (the simulators' degradation processes): spindle bearing, blade dulling, glue heater.</summary>
    public static IReadOnlyList<short> FailureAlarms { get; } = [201, 101, 301];

    /// <summary>The signals read for <paramref name="machineClass"/>.</summary>
    public static IReadOnlyList<Signal> SignalsOf(MachineClass machineClass) =>
        [Signal.MachineState, Signal.PieceCounter, Signal.Power, Signal.Alarm, Signal.Warning, Signal.CycleTime, .. MachineFeatures.ConditionSignals(machineClass).Select(c => c.Signal)];

    public MinuteSeries Series { get; } = series;

    /// <summary>Operating minutes (machine on) from the last repair to the start of <see cref="Series"/>.</summary>
    public double OperatingMinutesBefore { get; } = operatingMinutesBefore;

    public static bool IsFailureAlarm(float code) => code is 201f or 101f or 301f;

    /// <summary>Reads [from, to) of <paramref name="machine"/>, and the operating time since its last repair before it.</summary>
    public static async Task<MachineHistory> ReadAsync(NpgsqlDataSource dataSource, string machine, MachineClass machineClass,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var series = await MinuteSeries.ReadAsync(dataSource, machine, [.. SignalsOf(machineClass)], from, to, ct).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FROM telemetry_rollup_minute
            WHERE machine = @machine AND signal = @state AND max >= 1 AND minute < @from
              AND minute > COALESCE((SELECT max(minute) FROM telemetry_rollup_minute
                                     WHERE machine = @machine AND signal = @alarm AND minute < @from AND max = ANY(@failures)), '-infinity')
            """);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("state", (short)Signal.MachineState);
        command.Parameters.AddWithValue("alarm", (short)Signal.Alarm);
        command.Parameters.AddWithValue("from", series.Origin);
        command.Parameters.AddWithValue("failures", FailureAlarms.Select(a => (double)a).ToArray());
        var before = Convert.ToDouble(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return new MachineHistory(series, before);
    }

    /// <summary>The minutes at which a failure alarm starts (a wear failure), ascending.</summary>
    public IReadOnlyList<int> FailureStarts() => AlarmStarts(IsFailureAlarm);

    /// <summary>The minutes at which another non-zero alarm starts (a sudden fault: jam, breakage), ascending.</summary>
    public IReadOnlyList<int> SuddenStarts() => AlarmStarts(code => code != 0 && !IsFailureAlarm(code));

    /// <summary>Whether the machine is failed or under repair just before the instant at minute <paramref name="minute"/>.</summary>
    public bool Down(int minute) =>
        (Series.Has(Signal.Alarm, minute - 1) && Series.Max(Signal.Alarm, minute - 1) != 0)
        || (Series.Has(Signal.MachineState, minute - 1) && Series.Max(Signal.MachineState, minute - 1) >= 4);

    /// <summary>
    /// Labels of the instants at <paramref name="minutes"/>: true when a failure alarm starts within (instant, instant +
    /// horizon]; null when the machine is down at the instant or the series ends before the horizon does.
    /// </summary>
    public bool?[] Labels(IReadOnlyList<int> minutes, TimeSpan horizon)
    {
        var failures = FailureStarts();
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
