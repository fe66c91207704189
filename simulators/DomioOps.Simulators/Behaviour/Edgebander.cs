using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// An edgebander. The glue pot heats to its set-point after switch-on; a failing heater lets the glue
/// temperature drift down and swing (up to 35 °C low) until the glue no longer bonds and the machine stops.
/// </summary>
internal sealed class Edgebander(MachineSpec spec, ShiftCalendar calendar, IReadOnlyList<(string Name, PartType Part, CycleTime Cycle)> parts, IReadOnlyList<FailureMode> failures, int seed, DateTimeOffset start)
    : SimulatedMachine(spec, calendar, parts, failures, seed, start)
{
    public const string GlueHeater = "glue-heater";
    public const double Setpoint = 190;
    private readonly Thermal _gluePot = new(Setpoint, TimeSpan.FromMinutes(6));

    protected override (string Kind, ushort Alarm) SuddenFault => ("edge-feed-jam", 310);

    protected override TimeSpan WarmUp => TimeSpan.FromMinutes(15);

    public override void Read(DateTimeOffset now, MachineReading reading)
    {
        ReadCommon(now, reading);
        var fault = Severity(GlueHeater, now);
        var working = Current == Phase.Cycle;
        var on = Current is not Phase.Off;
        var swing = 6 * fault * Math.Sin((now - DateTimeOffset.UnixEpoch).TotalMinutes / 7);
        var target = on ? Setpoint - (35 * fault * fault) + swing : 22;
        reading.GlueTemperature = _gluePot.Approach(target, now) + ((Noise.NextDouble() - 0.5) * 0.8);
        reading.GlueSetpoint = Setpoint;
        reading.FeedSpeed = working ? 20 + ((Noise.NextDouble() - 0.5) * 0.6) : 0;
        reading.TrimmingUnit = Current switch
        {
            Phase.Off => 0,
            Phase.Down => (ushort)(reading.Alarm == 310 ? 3 : 1),
            Phase.Cycle => 2,
            _ => 1,
        };
        reading.Power = (Spec.RatedPower ?? 18) * (working ? 0.55 : on ? 0.3 : 0);
    }
}
