namespace DomioOps.Simulators;

/// <summary>
/// The simulator's own command-line switches, turned into configuration keys of the <c>Simulators</c> section:
/// <c>--scenario FILE --seed N --acceleration X --start TIME --duration D --ground-truth FILE --address IP
/// --fault MACHINE=FAULT</c> (repeatable). Other arguments pass through (e.g. <c>--Simulators:Tick=00:00:00.200</c>).
/// </summary>
internal static class SimulatorCommandLine
{
    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--scenario"] = "Scenario",
        ["--seed"] = "Seed",
        ["--acceleration"] = "Acceleration",
        ["--start"] = "Start",
        ["--duration"] = "Duration",
        ["--ground-truth"] = "GroundTruthLog",
        ["--address"] = "Address",
    };

    public static string[] Normalise(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) && (Switches.ContainsKey(n) || n == "--fault")
                ? (n, (string?)v)
                : (args[i], null);
            if (Switches.TryGetValue(name, out var key) || name == "--fault")
            {
                value ??= i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
                if (name == "--fault")
                {
                    var parts = value.Split('=', 2);
                    if (parts.Length != 2 || parts[0].Length == 0)
                    {
                        throw new ArgumentException($"--fault {value}: give MACHINE=FAULT, e.g. --fault saw-01=slow:500 (faults: drop, silent, garbage, exception[:code], slow:ms, none).");
                    }

                    result.Add($"--{SimulatorOptions.Section}:Faults:{parts[0]}={parts[1]}");
                }
                else
                {
                    result.Add($"--{SimulatorOptions.Section}:{key}={value}");
                }
            }
            else
            {
                result.Add(args[i]);
            }
        }

        return [.. result];
    }
}
