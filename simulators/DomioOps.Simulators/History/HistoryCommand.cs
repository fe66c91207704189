using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.History;

/// <summary>
/// <c>history --scenario FILE --seed N --start T --duration D --output DIR</c>: runs the scenario's machines through D of
/// factory time as fast as the CPU allows (as <see cref="GroundTruthCommand"/> does), reads every machine every
/// <see cref="SampleInterval"/> as an edge polls, and writes per machine and minute the rollup of each signal the edges
/// map — min, max, sum, count, last, last_ts, last_sequence, the columns of the cloud's <c>telemetry_rollup_minute</c>
/// — as one CSV file per machine (<c>rollups-{machine}.csv</c>), the ground-truth log (<c>ground-truth.jsonl</c>) and
/// <c>history.json</c> (scenario, seed, span, machines). The cloud's <c>maintenance import-history DIR</c> loads it.
/// </summary>
internal static class HistoryCommand
{
    /// <summary>How often each machine is read, in factory time.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);

    /// <summary>The header of each rollup file: the columns of <c>telemetry_rollup_minute</c>, in COPY order.</summary>
    public const string Header = "minute,machine,signal,min,max,sum,count,last,last_ts,last_sequence";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (TimedRun.Options(args, ["--output"], ["--output"]) is not { } options)
        {
            error.WriteLine("usage: DomioOps.Simulators history --scenario FILE [--seed N] [--start 2026-01-05T00:00:00Z] [--duration 365.00:00:00] --output DIR");
            return 2;
        }

        var directory = options["--output"];
        try
        {
            var (scenario, start, duration) = TimedRun.Load(options, "history");

            // Minutes are whole: the run starts at the minute of --start.
            var from = new DateTimeOffset(start.UtcTicks - (start.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            var to = from + duration;
            Directory.CreateDirectory(directory);
            var factory = new Factory(scenario, from);
            var machines = factory.Devices.Where(d => d.Spec.Kind != MachineKind.EnergyMeter).ToList();
            var written = Write(factory, machines, from, to, directory, output);
            var manifest = new HistoryManifest(scenario.Seed, from, to, SampleInterval,
                [.. machines.Select(m => new HistoryMachine(m.Spec.Id, KindName(m.Spec.Kind), FileOf(m.Spec.Id), RollupSignals.Of(m.Spec.Kind).Select(s => (int)s).ToArray()))]);
            File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson.Options));
            output.WriteLine($"history: {written.Rows} rollup rows and {written.Events} ground-truth events of {machines.Count} machines written to {directory}");
            return 0;
        }
        catch (Exception e) when (e is ScenarioException or FormatException or OverflowException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 2;
        }
    }

    public const string ManifestFile = "history.json";

    public const string GroundTruthFile = "ground-truth.jsonl";

    public static string FileOf(string machine) => $"rollups-{machine}.csv";

    private static (long Rows, long Events) Write(Factory factory, List<ISimulatedDevice> machines, DateTimeOffset from, DateTimeOffset to, string directory, TextWriter output)
    {
        var stopwatch = Stopwatch.StartNew();
        using var groundTruth = new StreamWriter(Path.Combine(directory, GroundTruthFile));
        var writers = machines.Select(m => new MachineRollups(m, Path.Combine(directory, FileOf(m.Spec.Id)))).ToList();
        var reading = new MachineReading();
        long events = 0;
        var nextProgress = from + TimeSpan.FromDays(30);
        try
        {
            for (var at = from; at < to; at += SampleInterval)
            {
                foreach (var e in factory.Advance(at, d => d.Spec.Kind != MachineKind.EnergyMeter))
                {
                    groundTruth.WriteLine(Factory.ToJsonLine(e));
                    events++;
                }

                foreach (var machine in writers)
                {
                    machine.Sample(at, reading);
                }

                if (at >= nextProgress)
                {
                    nextProgress += TimeSpan.FromDays(30);
                    var done = (at - from) / (to - from);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"history: {at:yyyy-MM-dd} ({done:P0}), {writers.Sum(w => w.Rows):N0} rows, {events} events, {stopwatch.Elapsed.TotalSeconds:F0} s"));
                }
            }

            foreach (var machine in writers)
            {
                machine.Flush();
            }

            return (writers.Sum(w => w.Rows), events);
        }
        finally
        {
            foreach (var machine in writers)
            {
                machine.Dispose();
            }
        }
    }

    private static string KindName(MachineKind kind) => kind switch
    {
        MachineKind.CncRouter => "cnc-router",
        MachineKind.PanelSaw => "panel-saw",
        MachineKind.Edgebander => "edgebander",
        _ => "energy-meter",
    };

    private static class ManifestJson
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}

/// <summary>What a history directory holds (<c>history.json</c>).</summary>
internal sealed record HistoryManifest(int Seed, DateTimeOffset From, DateTimeOffset To, TimeSpan SampleInterval, IReadOnlyList<HistoryMachine> Machines);

/// <summary>One machine of a history directory: its id, kind, rollup file and the signals (domio.v1.Signal numbers) in it.</summary>
internal sealed record HistoryMachine(string Id, string Kind, string File, IReadOnlyList<int> Signals);
