using System.Text;
using System.Text.Json;

using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// Every simulated device of a scenario on one factory clock. <see cref="Advance"/> runs all devices' events up to
/// a factory time and appends their ground-truth events in (time, machine order) so the log is the same however
/// the run was sliced into advances. One owner: callers serialise access through <see cref="Gate"/>.
/// </summary>
internal sealed class Factory
{
    private readonly List<GroundTruthEvent> _pending = [];
    private readonly List<GroundTruthEvent> _sorted = [];
    private readonly Dictionary<string, int> _order = new(StringComparer.Ordinal);

    public Factory(Scenario scenario, DateTimeOffset start)
    {
        Scenario = scenario;
        Start = start;
        var calendar = new ShiftCalendar(scenario.Shifts);
        var machines = new Dictionary<string, SimulatedMachine>(StringComparer.Ordinal);
        foreach (var spec in scenario.Machines.Where(m => m.Kind != MachineKind.EnergyMeter))
        {
            var seed = SeedOf(scenario.Seed, spec.Id);
            var random = new Random(seed ^ 0x2545f491);
            var failures = FailuresOf(spec).Select(f => new FailureMode(f.Kind, AlarmOf(f.Kind), f.Spec, random)).ToList();
            var parts = scenario.PartTypes
                .Where(p => (spec.Parts.Count == 0 || spec.Parts.Contains(p.Key)) && p.Value.CycleTimes.ContainsKey(spec.Kind))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (p.Key, p.Value, p.Value.CycleTimes[spec.Kind]))
                .ToList();
            machines[spec.Id] = spec.Kind switch
            {
                MachineKind.CncRouter => new CncRouter(spec, calendar, parts, failures, seed, start),
                MachineKind.PanelSaw => new PanelSaw(spec, calendar, parts, failures, seed, start),
                _ => new Edgebander(spec, calendar, parts, failures, seed, start),
            };
        }

        foreach (var spec in scenario.Machines)
        {
            _order[spec.Id] = _order.Count;
            Devices.Add(spec.Kind == MachineKind.EnergyMeter
                ? new EnergyMeter(spec, spec.Measures is { } m ? machines[m] : null, SeedOf(scenario.Seed, spec.Id), start)
                : machines[spec.Id]);
        }
    }

    public Scenario Scenario { get; }

    public DateTimeOffset Start { get; }

    public List<ISimulatedDevice> Devices { get; } = [];

    /// <summary>Serialises every use of the devices: the factory loop, the faces' readings and the control endpoint.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Factory time the devices have been advanced to.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>The default degradation process of each machine kind, with its alarm code.</summary>
    public static IReadOnlyDictionary<string, (MachineKind Kind, ushort Alarm, FailureSpec Spec)> DefaultFailures { get; } = new Dictionary<string, (MachineKind, ushort, FailureSpec)>(StringComparer.Ordinal)
    {
        [CncRouter.SpindleBearing] = (MachineKind.CncRouter, 201, new FailureSpec { MeanTimeToOnset = TimeSpan.FromDays(10), Progression = TimeSpan.FromHours(12), Repair = TimeSpan.FromHours(4) }),
        [PanelSaw.BladeDulling] = (MachineKind.PanelSaw, 101, new FailureSpec { MeanTimeToOnset = TimeSpan.FromDays(3), Progression = TimeSpan.FromHours(8), Repair = TimeSpan.FromMinutes(40) }),
        [Edgebander.GlueHeater] = (MachineKind.Edgebander, 301, new FailureSpec { MeanTimeToOnset = TimeSpan.FromDays(6), Progression = TimeSpan.FromHours(3), Repair = TimeSpan.FromMinutes(90) }),
    };

    /// <summary>Runs every device up to <paramref name="now"/>; returns the ground-truth events of that stretch, in log order.</summary>
    public IReadOnlyList<GroundTruthEvent> Advance(DateTimeOffset now, Func<ISimulatedDevice, bool>? include = null)
    {
        _pending.Clear();
        foreach (var device in Devices)
        {
            if (include?.Invoke(device) ?? true)
            {
                device.Advance(now, _pending);
            }
        }

        Now = now > Now ? now : Now;
        _sorted.Clear();
        _sorted.AddRange(_pending.OrderBy(e => e.Time).ThenBy(e => _order[e.Machine]));
        return _sorted;
    }

    public ISimulatedDevice? Find(string machine) => Devices.FirstOrDefault(d => string.Equals(d.Spec.Id, machine, StringComparison.Ordinal));

    /// <summary>A line of the ground-truth log.</summary>
    public static string ToJsonLine(GroundTruthEvent e) => JsonSerializer.Serialize(e, GroundTruthJson.Options);

    /// <summary>A machine's own random seed: the scenario's seed and its id (FNV-1a, stable across runs and platforms).</summary>
    public static int SeedOf(int seed, string machine)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var b in Encoding.UTF8.GetBytes(machine))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private static IEnumerable<(string Kind, FailureSpec Spec)> FailuresOf(MachineSpec spec) =>
        spec.Failures is { } configured
            ? configured.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value))
            : DefaultFailures.Where(d => d.Value.Kind == spec.Kind).Select(d => (d.Key, d.Value.Spec));

    private static ushort AlarmOf(string kind) => DefaultFailures.TryGetValue(kind, out var d) ? d.Alarm : (ushort)900;

    private static class GroundTruthJson
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };
    }
}
