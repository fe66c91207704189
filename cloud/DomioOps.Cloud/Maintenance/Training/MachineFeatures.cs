using DomioOps.Cloud.Maintenance.Prediction;
using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// Sliding-window features of one machine at one instant, from telemetry_rollup_minute: over the last 15 min, 1 h, 6 h
/// and 24 h before the instant, the level (mean of minute means), peak (mean of minute maxima), trend (least-squares slope
/// of the minute means, per hour) and variability (standard deviation of the minute means) of each condition signal of
/// the machine's class, over the minutes it ran (on and not failed the whole minute); the change of each condition
/// signal's 1 h mean against its 24 h mean; the share of minutes with an alarm and with the warning flag; the cycle
/// time's drift (1 h and 6 h mean against 24 h); the energy per piece; and the operating hours since the last repair.
/// A feature without data is 0.
/// </summary>
public sealed class MachineFeatures(NpgsqlDataSource dataSource)
{
    /// <summary>The windows, in minutes: 15 min (quick degradations such as a glue heater's), 1 h, 6 h, 24 h.</summary>
    internal static readonly int[] Windows = [15, 60, 360, 1440];

    /// <summary>The indexes of the 1 h, 6 h and 24 h windows in <see cref="Windows"/>.</summary>
    private const int Hour = 1, SixHours = 2, Day = 3;

    private static readonly string[] Stats = ["mean", "peak", "trend", "variability"];

    /// <summary>The signals whose level tells a class's degradation, with their key, words and unit.</summary>
    internal static IReadOnlyList<(Signal Signal, string Key, string Text, string Unit)> ConditionSignals(MachineClass machineClass) => machineClass switch
    {
        MachineClass.CncRouter =>
        [
            (Signal.Vibration, "vibration", "spindle vibration", "mm/s"),
            (Signal.SpindleTemperature, "spindle-temperature", "spindle temperature", "°C"),
            (Signal.SpindleLoad, "spindle-load", "spindle load", "%"),
        ],
        MachineClass.PanelSaw =>
        [
            (Signal.BladeMotorCurrent, "blade-current", "blade motor current", "A"),
            (Signal.BladeWear, "blade-wear", "blade wear", "%"),
        ],
        _ => [(Signal.GlueTemperature, "glue-temperature", "glue temperature", "°C")],
    };

    public static FeatureSchema SchemaOf(MachineClass machineClass)
    {
        var features = new List<FeatureDefinition>();
        foreach (var (_, key, text, unit) in ConditionSignals(machineClass))
        {
            foreach (var minutes in Windows)
            {
                var (name, words) = (WindowKey(minutes), WindowText(minutes));
                features.Add(new($"{key}.mean.{name}", $"{text}, mean over {words}", unit));
                features.Add(new($"{key}.peak.{name}", $"{text}, mean of minute peaks over {words}", unit));
                features.Add(new($"{key}.trend.{name}", $"{text}, trend over {words}", $"{unit}/h"));
                features.Add(new($"{key}.variability.{name}", $"{text}, variability (standard deviation) over {words}", unit));
            }

            features.Add(new($"{key}.change.1h-24h", $"{text}, change of the 1 h mean against the 24 h mean", "fraction"));
        }

        foreach (var minutes in Windows)
        {
            features.Add(new($"alarm.rate.{WindowKey(minutes)}", $"alarms, share of minutes over {WindowText(minutes)}", "fraction"));
            features.Add(new($"warning.rate.{WindowKey(minutes)}", $"warning flag, share of minutes over {WindowText(minutes)}", "fraction"));
        }

        features.Add(new("cycle-time.drift.1h-24h", "cycle time, change of the 1 h mean against the 24 h mean", "fraction"));
        features.Add(new("cycle-time.drift.6h-24h", "cycle time, change of the 6 h mean against the 24 h mean", "fraction"));
        features.Add(new("energy-per-piece.6h", "energy per piece over 6 h", "kWh"));
        features.Add(new("energy-per-piece.24h", "energy per piece over 24 h", "kWh"));
        features.Add(new("operating-hours.since-repair", "operating hours since the last repair", "h"));
        return new FeatureSchema(features);
    }

    /// <summary>Features of <paramref name="machine"/> at each instant of <paramref name="at"/> (ascending), reading PostgreSQL once.</summary>
    public async Task<IReadOnlyList<float[]>> ComputeAsync(string machine, MachineClass machineClass, IReadOnlyList<DateTimeOffset> at, CancellationToken ct)
    {
        if (at.Count == 0)
        {
            return [];
        }

        var from = MinuteSeries.Truncate(at[0]) - TimeSpan.FromMinutes(Windows[^1]);
        var history = await MachineHistory.ReadAsync(dataSource, machine, machineClass, from, MinuteSeries.Truncate(at[^1]) + TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
        return Compute(history, machineClass, [.. at.Select(history.Series.MinuteOf)]);
    }

    /// <summary>Features at the instants starting the minutes <paramref name="minutes"/> (ascending) of the history's series: each sees the minutes before it.</summary>
    internal static float[][] Compute(MachineHistory history, MachineClass machineClass, IReadOnlyList<int> minutes)
    {
        var series = history.Series;
        var conditions = ConditionSignals(machineClass);
        var width = SchemaOf(machineClass).Features.Count;
        var operating = OperatingHours(history);
        var ran = new bool[series.Minutes];
        for (var m = 0; m < series.Minutes; m++)
        {
            ran[m] = Ran(series, m);
        }

        var alarm = series.ColumnOf(Signal.Alarm);
        var warning = series.ColumnOf(Signal.Warning);
        var cycleTime = series.ColumnOf(Signal.CycleTime);
        var power = series.ColumnOf(Signal.Power);
        var pieces = series.ColumnOf(Signal.PieceCounter);
        var result = new float[minutes.Count][];
        var windows = new Window[Windows.Length];
        var cycle = new Window[Windows.Length];
        for (var k = 0; k < minutes.Count; k++)
        {
            var i = minutes[k];
            var features = new float[width];
            var f = 0;
            foreach (var (signal, _, _, _) in conditions)
            {
                Accumulate(series.ColumnOf(signal), ran, i, windows);
                for (var w = 0; w < Windows.Length; w++)
                {
                    features[f++] = windows[w].Mean;
                    features[f++] = windows[w].Peak;
                    features[f++] = windows[w].Slope;
                    features[f++] = windows[w].Deviation;
                }

                features[f++] = Change(windows[Hour].Mean, windows[Day].Mean);
            }

            for (var w = 0; w < Windows.Length; w++)
            {
                features[f++] = Rate(alarm, i, Windows[w], v => v != 0);
                features[f++] = Rate(warning, i, Windows[w], v => v > 0);
            }

            Accumulate(cycleTime, ran, i, cycle);
            features[f++] = Change(cycle[Hour].Mean, cycle[Day].Mean);
            features[f++] = Change(cycle[SixHours].Mean, cycle[Day].Mean);
            features[f++] = EnergyPerPiece(power, pieces, i, Windows[SixHours]);
            features[f++] = EnergyPerPiece(power, pieces, i, Windows[Day]);
            features[f++] = i >= 0 && i <= series.Minutes ? (float)operating[i] : 0;
            result[k] = features;
        }

        return result;
    }

    /// <summary>Whether the machine ran through minute <paramref name="m"/>: on (state ≥ standby) and never in error.</summary>
    internal static bool Ran(MinuteSeries series, int m) =>
        series.Has(Signal.MachineState, m) && series.Min(Signal.MachineState, m) >= 1 && series.Max(Signal.MachineState, m) <= 3;

    private static string WindowKey(int minutes) => minutes % 60 == 0 ? $"{minutes / 60}h" : $"{minutes}min";

    private static string WindowText(int minutes) => minutes % 60 == 0 ? $"{minutes / 60} h" : $"{minutes} min";

    private static float Change(float recent, float longer) => longer == 0 ? 0 : (recent / longer) - 1;

    /// <summary>One backward pass over the longest window, taking each window's statistics as its length is reached.</summary>
    private static void Accumulate(MinuteSeries.Column column, bool[] ran, int i, Window[] windows)
    {
        double n = 0, sy = 0, syy = 0, sx = 0, sxx = 0, sxy = 0, peak = 0;
        var w = 0;
        for (var back = 1; back <= Windows[^1]; back++)
        {
            var m = i - back;
            if (m >= 0 && m < ran.Length && ran[m] && column.Count[m] > 0)
            {
                double y = column.Mean[m];
                var x = -back / 60.0;
                (n, sy, syy, sx, sxx, sxy, peak) = (n + 1, sy + y, syy + (y * y), sx + x, sxx + (x * x), sxy + (x * y), peak + column.Max[m]);
            }

            if (back == Windows[w])
            {
                var slopeDenominator = (n * sxx) - (sx * sx);
                windows[w] = n == 0 ? default : new Window(
                    (float)(sy / n),
                    (float)(peak / n),
                    n < 2 || slopeDenominator <= 0 ? 0 : (float)(((n * sxy) - (sx * sy)) / slopeDenominator),
                    (float)Math.Sqrt(Math.Max(0, (syy / n) - ((sy / n) * (sy / n)))));
                w++;
            }
        }
    }

    private static float Rate(MinuteSeries.Column column, int i, int minutes, Func<float, bool> counts)
    {
        var (seen, hit) = (0, 0);
        for (var m = Math.Max(0, i - minutes); m < i && m < column.Count.Length; m++)
        {
            if (column.Count[m] > 0)
            {
                seen++;
                hit += counts(column.Max[m]) ? 1 : 0;
            }
        }

        return seen == 0 ? 0 : (float)hit / seen;
    }

    /// <summary>kWh drawn (mean power of each minute × 1 min) over pieces made (counter's last value minus its first minimum) in the window.</summary>
    private static float EnergyPerPiece(MinuteSeries.Column power, MinuteSeries.Column pieces, int i, int minutes)
    {
        var energy = 0.0;
        float? first = null;
        float? last = null;
        for (var m = Math.Max(0, i - minutes); m < i && m < power.Count.Length; m++)
        {
            if (power.Count[m] > 0)
            {
                energy += power.Mean[m] / 60.0;
            }

            if (pieces.Count[m] > 0)
            {
                first ??= pieces.Min[m];
                last = pieces.Last[m];
            }
        }

        var made = (last ?? 0) - (first ?? 0);
        return made <= 0 ? 0 : (float)(energy / made);
    }

    /// <summary>
    /// Operating hours since the last repair at each instant 0..Minutes: minutes on (state ≥ standby), reset by the end of
    /// a failure alarm and by a repair closed in a work order (counting from the minute after the repair's).
    /// </summary>
    private static double[] OperatingHours(MachineHistory history)
    {
        var series = history.Series;
        var repairs = history.Repairs.ToHashSet();
        var hours = new double[series.Minutes + 1];
        var minutes = history.OperatingMinutesBefore;
        hours[0] = minutes / 60;
        for (var m = 0; m < series.Minutes; m++)
        {
            if (repairs.Contains(m) || (series.Has(Signal.Alarm, m) && MachineHistory.IsFailureAlarm(series.Max(Signal.Alarm, m))))
            {
                minutes = 0;
            }
            else if (series.Has(Signal.MachineState, m) && series.Max(Signal.MachineState, m) >= 1)
            {
                minutes++;
            }

            hours[m + 1] = minutes / 60;
        }

        return hours;
    }

    private readonly record struct Window(float Mean, float Peak, float Slope, float Deviation);
}
