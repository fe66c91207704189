namespace DomioOps.Cloud.Machines;

/// <summary>The live state of one machine, keyed by machine id.</summary>
public interface IMachineGrain : IGrainWithStringKey
{
    /// <summary>Applies samples from one edge in sequence order; samples at or below the last applied sequence of that edge are ignored.</summary>
    Task Apply(string site, string edge, IReadOnlyList<MachineSample> samples);

    /// <summary>The current state, or null when the machine has never reported.</summary>
    Task<MachineSnapshot?> GetSnapshot();
}
