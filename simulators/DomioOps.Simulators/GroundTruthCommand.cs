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
        if (TimedRun.Options(args, ["--output"], []) is not { } options)
        {
            error.WriteLine("usage: DomioOps.Simulators ground-truth --scenario FILE [--seed N] [--start 2026-01-05T06:00:00Z] [--duration 30.00:00:00] [--output FILE]");
            return 2;
        }

        try
        {
            var (scenario, start, duration) = TimedRun.Load(options, "ground-truth");
            var factory = new Factory(scenario, start);
            using var writer = options.TryGetValue("--output", out var path) ? new StreamWriter(path) : null;
            var target = writer ?? output;
            var count = 0;

            // Advanced a day at a time only to bound memory; the events do not depend on the slicing.
            for (var at = start; at < start + duration;)
            {
                at = Min(at + TimeSpan.FromDays(1), start + duration);
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
