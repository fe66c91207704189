namespace DomioOps.Cloud.Machines;

internal sealed class MachineDirectoryGrain([PersistentState("machines")] IPersistentState<MachineDirectoryState> directory)
    : Grain, IMachineDirectoryGrain
{
    public async Task Register(string machineId)
    {
        if (directory.State.MachineIds.Add(machineId))
        {
            await directory.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetMachineIds() =>
        Task.FromResult<IReadOnlyList<string>>([.. directory.State.MachineIds.Order(StringComparer.Ordinal)]);
}

[GenerateSerializer]
internal sealed class MachineDirectoryState
{
    [Id(0)]
    public HashSet<string> MachineIds { get; set; } = new(StringComparer.Ordinal);
}
