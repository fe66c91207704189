namespace DomioOps.Cloud.Machines;

/// <summary>The ids of every machine that has ever reported. One instance, key <see cref="Key"/>.</summary>
public interface IMachineDirectoryGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task Register(string machineId);

    Task<IReadOnlyList<string>> GetMachineIds();
}
