using System.Globalization;

namespace DomioOps.Simulators.Scenarios;

/// <summary>
/// The command line of the commands that run a scenario through a fixed stretch of factory time as fast as the CPU
/// allows (<c>ground-truth</c>, <c>history</c>): <c>--scenario FILE [--seed N] [--start TIME] [--duration D]</c> and
/// the command's own options.
/// </summary>
internal static class TimedRun
{
    private static readonly string[] Common = ["--scenario", "--seed", "--start", "--duration"];

    /// <summary>
    /// The options as name → value; null when the arguments are not name–value pairs, lack <c>--scenario</c> or one of
    /// <paramref name="required"/>, or name an option that is neither common nor in <paramref name="own"/>.
    /// </summary>
    public static Dictionary<string, string>? Options(string[] args, IReadOnlyCollection<string> own, IReadOnlyCollection<string> required)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        var valid = args.Length % 2 == 0 && options.ContainsKey("--scenario") && required.All(options.ContainsKey)
            && options.Keys.All(k => Common.Contains(k) || own.Contains(k));
        return valid ? options : null;
    }

    /// <summary>
    /// The scenario of <c>--scenario</c>, with <c>--seed</c>, <c>--start</c> and <c>--duration</c> applied; a
    /// <see cref="ScenarioException"/> when it has no fixed start or duration (a <paramref name="command"/> run needs both).
    /// </summary>
    public static (Scenario Scenario, DateTimeOffset Start, TimeSpan Duration) Load(IReadOnlyDictionary<string, string> options, string command)
    {
        var file = options["--scenario"];
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

        return scenario is { Start: { } from, Duration: { } length }
            ? (scenario, from, length)
            : throw new ScenarioException($"{file}: key $.start / $.duration: a {command} run needs a fixed start and a duration. Fix: set them in the scenario or pass --start and --duration.");
    }
}
