using System.Globalization;

using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators;

/// <summary>
/// <c>ground-truth --scenario FILE [--seed N] [--start TIME] --duration D [--output FILE]</c>: runs the scenario's
/// machines through D of factory time as fast as the CPU allows, without serving them, and writes the ground-truth
/// log (JSON lines) — the same events an accelerated live run of the same scenario and seed logs.
/// </summary>
internal static class GroundTruthCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        if (args.Length % 2 != 0 || !options.TryGetValue("--scenario", out var file) || options.Keys.Any(k => k is not ("--scenario" or "--seed" or "--start" or "--duration" or "--output")))
        {
            error.WriteLine("usage: DomioOps.Simulators ground-truth --scenario FILE [--seed N] [--start 2026-01-05T06:00:00Z] [--duration 30.00:00:00] [--output FILE]");
            return 2;
        }

        try
        {
            var scenario = ScenarioFile.Load(file);
            if (options.TryGetValue("--seed", out var seed))
            {
                scenario.Seed = int.Parse(seed, CultureInfo.InvariantCulture);
            }

            if (options.TryGetValue("--start", out var start))
            {
                scenario.Start = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
            }

            if (options.TryGetValue("--duration", out var duration))
            {
                scenario.Duration = TimeSpan.Parse(duration, CultureInfo.InvariantCulture);
            }

            if (scenario.Start is null || scenario.Duration is null)
            {
                error.WriteLine($"{file}: key $.start / $.duration: a ground-truth run needs a fixed start and a duration. Fix: set them in the scenario or pass --start and --duration.");
                return 2;
            }

            var factory = new Factory(scenario, scenario.Start.Value);
            using var writer = options.TryGetValue("--output", out var path) ? new StreamWriter(path) : null;
            var target = writer ?? output;
            var count = 0;

            // Advanced a day at a time only to bound memory; the events do not depend on the slicing.
            for (var at = scenario.Start.Value; at < scenario.Start.Value + scenario.Duration.Value;)
            {
                at = Min(at + TimeSpan.FromDays(1), scenario.Start.Value + scenario.Duration.Value);
                foreach (var e in factory.Advance(at))
                {
                    target.WriteLine(Factory.ToJsonLine(e));
                    count++;
                }
            }

            if (writer is not null)
            {
                output.WriteLine($"{count} ground-truth events written to {path}");
            }

            return 0;
        }
        catch (Exception e) when (e is ScenarioException or FormatException or OverflowException)
        {
            error.WriteLine(e.Message);
            return 2;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
