using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>A machine or meter of the simulated factory. Only the factory's loop calls it, under the device's own lock.</summary>
internal interface ISimulatedDevice
{
    MachineSpec Spec { get; }

    /// <summary>Runs the device's events up to <paramref name="now"/> (factory time), adding the ground-truth events it produced.</summary>
    void Advance(DateTimeOffset now, List<GroundTruthEvent> events);

    /// <summary>Fills <paramref name="reading"/> with what the device shows at <paramref name="now"/>.</summary>
    void Read(DateTimeOffset now, MachineReading reading);
}
