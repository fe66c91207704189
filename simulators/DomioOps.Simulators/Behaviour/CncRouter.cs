using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// A CNC router / nesting centre. Spindle bearing wear shows as vibration rising with the square of its
/// severity and the spindle running hotter (up to +22 °C) over the hours before the bearing fails.
/// </summary>
internal sealed class CncRouter(MachineSpec spec, ShiftCalendar calendar, IReadOnlyList<(string Name, PartType Part, CycleTime Cycle)> parts, IReadOnlyList<FailureMode> failures, int seed, DateTimeOffset start)
    : SimulatedMachine(spec, calendar, parts, failures, seed, start)
{
    public const string SpindleBearing = "spindle-bearing";
    private static readonly TimeSpan ToolLifetime = TimeSpan.FromHours(6);
    private readonly Thermal _spindle = new(22, TimeSpan.FromMinutes(12));
    private readonly Dictionary<int, TimeSpan> _toolUse = [];
    private DateTimeOffset _lastRead = start;
    private int _tool = 1;

    protected override (string Kind, ushort Alarm) SuddenFault => ("tool-breakage", 210);

    public override void Read(DateTimeOffset now, MachineReading reading)
    {
        ReadCommon(now, reading);
        var wear = Severity(SpindleBearing, now);
        var working = Current == Phase.Cycle;
        var on = Current is not (Phase.Off or Phase.Down);
        if (working)
        {
            _toolUse[_tool] = _toolUse.GetValueOrDefault(_tool) + (now - _lastRead);
        }

        _lastRead = now;
        var load = working ? 38 + (12 * Noise.NextDouble()) + (8 * wear) : 0;
        reading.SpindleSpeed = working ? 18000 + (Noise.NextDouble() * 40) - 20 : 0;
        reading.SpindleLoad = load;
        reading.FeedSpeed = working ? 14 + (3 * Noise.NextDouble()) : 0;
        var target = 22 + (working ? 14 + (load / 8) : on ? 5 : 0) + (22 * wear);
        reading.SpindleTemperature = _spindle.Approach(target, now) + ((Noise.NextDouble() - 0.5) * 0.4);
        var baseVibration = working ? 1.1 + (0.012 * load) : on ? 0.25 : 0.03;
        reading.Vibration = (baseVibration * (1 + (5 * wear * wear))) + (Noise.NextDouble() * 0.08);
        reading.ActiveTool = _tool;
        reading.ToolLife = Math.Max(0, 100 * (1 - (_toolUse.GetValueOrDefault(_tool) / ToolLifetime)));
        reading.Power = (Spec.RatedPower ?? 24) * (working ? 0.45 + (load / 200) : on ? 0.12 : 0);
    }

    protected override double CycleStretch(DateTimeOffset at) => 1 + (0.05 * Severity(SpindleBearing, at));

    protected override void OnSetup(PartType part)
    {
        _tool = part.Tool;
        if (_toolUse.GetValueOrDefault(_tool) > ToolLifetime * 0.8)
        {
            _toolUse[_tool] = TimeSpan.Zero;
        }
    }
}
