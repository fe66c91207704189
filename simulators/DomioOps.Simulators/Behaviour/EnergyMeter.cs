using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// A three-phase energy meter (230/400 V) on the supply of one machine, or of a fixed load when it measures
/// none: voltage, current, power factor, active power and the energy integrated over factory time.
/// </summary>
internal sealed class EnergyMeter(MachineSpec spec, SimulatedMachine? machine, int seed, DateTimeOffset start) : ISimulatedDevice
{
    private readonly Random _noise = new(seed);
    private readonly MachineReading _measured = new();
    private DateTimeOffset _lastRead = start;
    private double _energy;

    public MachineSpec Spec { get; } = spec;

    public void Advance(DateTimeOffset now, List<GroundTruthEvent> events)
    {
        // Its machine is advanced by the factory; a meter has no events of its own.
    }

    public void Read(DateTimeOffset now, MachineReading reading)
    {
        double power;
        bool running;
        if (machine is not null)
        {
            machine.Read(now, _measured);
            power = _measured.Power;
            running = _measured.State == MachineState.Working;
        }
        else
        {
            power = (Spec.RatedPower ?? 5) * (0.6 + (0.1 * _noise.NextDouble()));
            running = true;
        }

        if (now > _lastRead)
        {
            _energy += power * (now - _lastRead).TotalHours;
            _lastRead = now;
        }

        reading.Time = now;
        reading.State = MachineState.Working;
        reading.Voltage = 230 + ((_noise.NextDouble() - 0.5) * 3);
        reading.PowerFactor = power <= 0 ? 1 : running ? 0.86 + (0.02 * _noise.NextDouble()) : 0.45 + (0.05 * _noise.NextDouble());
        reading.Current = power * 1000 / (3 * reading.Voltage * reading.PowerFactor);
        reading.Power = power;
        reading.Frequency = 50 + ((_noise.NextDouble() - 0.5) * 0.04);
        reading.Energy = _energy;
    }
}
