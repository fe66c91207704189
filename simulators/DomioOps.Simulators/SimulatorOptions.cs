using DomioOps.Simulators.Faces;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators;

/// <summary>
/// The simulated factory (section <c>Simulators</c>): a scenario file plus run-time overrides. Without a
/// scenario file the factory is made of the <see cref="PanelSaws"/> listed here (the first, simplest form).
/// </summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulators";

    /// <summary>Path of the scenario file (JSON), relative to the content root.</summary>
    public string? Scenario { get; set; }

    /// <summary>Overrides the address every machine listens on (127.0.0.1 by default; 0.0.0.0 in a container).</summary>
    public string? Address { get; set; }

    /// <summary>Overrides the scenario's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Overrides the scenario's time acceleration (factory seconds per wall second).</summary>
    public double? Acceleration { get; set; }

    /// <summary>Overrides the scenario's factory start time.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>Overrides the scenario's bound (factory time after which production stops).</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Overrides where the ground-truth log is written.</summary>
    public string? GroundTruthLog { get; set; }

    /// <summary>Faults injected from the start, by machine id: drop, silent, garbage, exception[:code], slow:ms.</summary>
    public Dictionary<string, string> Faults { get; set; } = [];

    /// <summary>TCP port overrides by machine id (the scenario's ports otherwise).</summary>
    public Dictionary<string, int> Ports { get; set; } = [];

    /// <summary>Serial device overrides by machine id.</summary>
    public Dictionary<string, string> SerialPorts { get; set; } = [];

    /// <summary>How often the machines are advanced and their registers and nodes refreshed (wall time).</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Panel saws on Modbus TCP, added to the scenario (kept from the first simulator; a scenario file says more).</summary>
    public List<PanelSawOptions> PanelSaws { get; set; } = [];

    /// <summary>The scenario these options describe: the file (or an empty factory), the saws listed here, then the overrides.</summary>
    public Scenario BuildScenario(string contentRoot)
    {
        var source = Scenario is null ? $"configuration section {Section}" : Path.GetFullPath(Path.Combine(contentRoot, Scenario));
        var scenario = Scenario is null ? new Scenario() : ScenarioFile.Load(source);
        scenario.Seed = Seed ?? scenario.Seed;
        scenario.Acceleration = Acceleration ?? scenario.Acceleration;
        scenario.Start = Start ?? scenario.Start;
        scenario.Duration = Duration ?? scenario.Duration;
        scenario.GroundTruthLog = GroundTruthLog ?? scenario.GroundTruthLog;
        scenario.Address = Address ?? scenario.Address;
        foreach (var saw in PanelSaws)
        {
            var part = $"{saw.Machine}-panel";
            scenario.PartTypes[part] = new PartType
            {
                MinQuantity = 1000,
                MaxQuantity = 1000,
                CycleTimes = { [MachineKind.PanelSaw] = new CycleTime { Mean = saw.CycleTime * 0.8, Deviation = saw.CycleTime * 0.08, Pieces = saw.PiecesPerCycle } },
            };
            scenario.Machines.Add(new MachineSpec
            {
                Id = saw.Machine,
                Kind = MachineKind.PanelSaw,
                Protocol = MachineProtocol.ModbusTcp,
                Port = saw.Port,
                UnitId = saw.UnitId,
                Parts = [part],
                Setup = TimeSpan.Zero,
                Loading = saw.CycleTime * 0.2,
                MicroStopProbability = saw.PauseProbability,
                SuddenFaultProbability = saw.FaultProbability,
                Failures = [],
            });
        }

        var machines = scenario.Machines.GroupBy(m => m.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (id, port) in Ports)
        {
            if (machines.TryGetValue(id, out var machine))
            {
                machine.Port = port;
            }
        }

        foreach (var (id, device) in SerialPorts)
        {
            if (machines.TryGetValue(id, out var machine))
            {
                machine.SerialPort = device;
            }
        }

        return ScenarioFile.Complete(scenario, source);
    }

    /// <summary>The faults configured at start, parsed; errors name the key.</summary>
    public IEnumerable<(string Machine, MachineFault? Fault, string Error)> ParsedFaults() =>
        Faults.Select(f => MachineFault.TryParse(f.Value, out var fault, out var error) ? (f.Key, fault, "") : (f.Key, (MachineFault?)null, error));
}

/// <summary>One simulated panel saw (an element of <c>Simulators:PanelSaws</c>).</summary>
public sealed class PanelSawOptions
{
    public string Machine { get; set; } = "saw-01";

    /// <summary>The Modbus TCP port; 0 picks a free one (logged).</summary>
    public int Port { get; set; } = 5020;

    public byte UnitId { get; set; } = 1;

    /// <summary>The mean time of one cut including loading; the cut varies ±10 % around it.</summary>
    public TimeSpan CycleTime { get; set; } = TimeSpan.FromSeconds(4);

    public int PiecesPerCycle { get; set; } = 1;

    /// <summary>Chance per cycle of a sudden fault (Error for 5–20 factory minutes).</summary>
    public double FaultProbability { get; set; } = 0.02;

    /// <summary>Chance per cycle of a micro-stop (Standby for 30 s–3 min).</summary>
    public double PauseProbability { get; set; } = 0.05;

    /// <summary>Kept for old configurations; the scenario's <c>Simulators:Seed</c> seeds every machine.</summary>
    public int Seed { get; set; } = 1;
}
