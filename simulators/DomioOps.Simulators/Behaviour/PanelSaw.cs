using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// A panel saw. The blade wears with every cut; dulling shows as the blade motor drawing more current and
/// cuts taking longer (up to +30 %) until the blade is changed (the repair).
/// </summary>
internal sealed class PanelSaw(MachineSpec spec, ShiftCalendar calendar, IReadOnlyList<(string Name, PartType Part, CycleTime Cycle)> parts, IReadOnlyList<FailureMode> failures, int seed, DateTimeOffset start)
    : SimulatedMachine(spec, calendar, parts, failures, seed, start)
{
    public const string BladeDulling = "blade-dulling";
    private const double CutsPerBlade = 6000;
    private uint _cutsAtBladeChange;

    protected override (string Kind, ushort Alarm) SuddenFault => ("panel-jam", 110);

    public override void Read(DateTimeOffset now, MachineReading reading)
    {
        ReadCommon(now, reading);
        var dull = Severity(BladeDulling, now);
        var working = Current == Phase.Cycle;
        var on = Current is not (Phase.Off or Phase.Down);
        var noise = (Noise.NextDouble() - 0.5) * 0.4;
        reading.BladeWear = Math.Min(100, (40 * (Cycles - _cutsAtBladeChange) / CutsPerBlade) + (60 * dull));
        reading.BladeMotorCurrent = working ? 11.5 + (6 * dull * dull) + noise : on ? 1.8 + (noise / 4) : 0;
        reading.BladeSpeed = on ? 4500 + (noise * 20) : 0;
        reading.FeedSpeed = working ? (18 * (1 - (0.25 * dull))) + noise : 0;
        reading.Power = (Spec.RatedPower ?? 11) * (working ? 0.6 + (0.3 * dull) : on ? 0.15 : 0);
    }

    protected override double CycleStretch(DateTimeOffset at) => 1 + (0.3 * Severity(BladeDulling, at));

    protected override void OnRepaired(FailureMode? mode)
    {
        if (mode?.Kind == BladeDulling)
        {
            _cutsAtBladeChange = Cycles;
        }
    }
}
