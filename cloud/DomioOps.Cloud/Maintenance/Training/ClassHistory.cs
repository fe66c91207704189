using System.Globalization;

using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// One machine's scoring instants over a span: their features, labels (null: left out) and training weights, and the
/// machine's failures (wear: <see cref="MachineHistory.Failures"/>; sudden: other alarms).
/// </summary>
internal sealed record MachineInstants(string Machine, IReadOnlyList<DateTimeOffset> At, IReadOnlyList<float[]> Features, IReadOnlyList<bool?> Labels,
    IReadOnlyList<float> Weights, IReadOnlyList<DateTimeOffset> WearFailures, IReadOnlyList<DateTimeOffset> SuddenFailures);

/// <summary>
/// Every machine of a class over a span, read from PostgreSQL (telemetry_rollup_minute) one machine at a time: the
/// instants every <see cref="Step"/>, each with its features (<see cref="MachineFeatures"/>), label (a failure starting
/// within the horizon after it; left out while the machine is down or when the span ends before the horizon) and weight
/// (heavier within an alert a person called a false alarm).
/// </summary>
internal static class ClassHistory
{
    /// <summary>How often a machine is scored, in training and online.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(10);

    /// <summary>The machines that reported the class's marker signal in [from, to).</summary>
    public static async Task<IReadOnlyList<string>> MachinesAsync(NpgsqlDataSource dataSource, MachineClass machineClass, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT machine FROM telemetry_rollup_minute WHERE signal = @signal AND minute >= @from AND minute < @to ORDER BY machine");
        command.Parameters.AddWithValue("signal", (short)MachineClasses.Marker(machineClass));
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var machines = new List<string>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            machines.Add(reader.GetString(0));
        }

        return machines;
    }

    /// <summary>
    /// The instants in [from, to) of every machine of the class; the features look back 24 h before <paramref name="from"/>,
    /// the labels <paramref name="horizon"/> past <paramref name="to"/> (as far as the history goes).
    /// </summary>
    public static async Task<IReadOnlyList<MachineInstants>> ReadAsync(NpgsqlDataSource dataSource, MachineClass machineClass,
        DateTimeOffset from, DateTimeOffset to, TimeSpan horizon, IProgress<string>? progress, CancellationToken ct)
    {
        from = MinuteSeries.Truncate(from);
        var machines = await MachinesAsync(dataSource, machineClass, from, to, ct).ConfigureAwait(false);
        progress?.Report($"{MachineClasses.Name(machineClass)}: {machines.Count} machines in {from:u} – {to:u}");
        var result = new List<MachineInstants>();
        foreach (var machine in machines)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var history = await MachineHistory.ReadAsync(dataSource, machine, machineClass, from - TimeSpan.FromMinutes(MachineFeatures.Windows[^1]), to + horizon, ct).ConfigureAwait(false);
            var read = stopwatch.Elapsed;
            var instants = From(history, machineClass, from, to, horizon, machine);
            result.Add(instants);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"  {machine}: {instants.At.Count} instants ({instants.Labels.Count(l => l == true)} positive), {instants.WearFailures.Count} wear and {instants.SuddenFailures.Count} sudden failures; read {read.TotalSeconds:F1} s, features {(stopwatch.Elapsed - read).TotalSeconds:F1} s"));
        }

        return result;
    }

    /// <summary>The instants of one machine's history in [from, to) (down ones left out) with their features and labels.</summary>
    public static MachineInstants From(MachineHistory history, MachineClass machineClass, DateTimeOffset from, DateTimeOffset to, TimeSpan horizon, string machine)
    {
        var series = history.Series;
        var minutes = new List<int>();
        for (var at = from; at < to; at += Step)
        {
            var m = series.MinuteOf(at);
            if (!history.Down(m) && series.Has(Signal.MachineState, m - 1))
            {
                minutes.Add(m);
            }
        }

        var features = MachineFeatures.Compute(history, machineClass, minutes);
        var labels = history.Labels(minutes, horizon);
        var (first, end) = (series.MinuteOf(from), series.MinuteOf(to));
        return new MachineInstants(machine,
            [.. minutes.Select(m => series.Origin.AddMinutes(m))], features, labels, history.Weights(minutes, labels),
            [.. history.Failures().Where(m => m >= first && m < end).Select(m => series.Origin.AddMinutes(m))],
            [.. history.SuddenStarts().Where(m => m >= first && m < end).Select(m => series.Origin.AddMinutes(m))]);
    }
}
