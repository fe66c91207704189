using Microsoft.AspNetCore.SignalR;

namespace DomioOps.Cloud.Machines;

/// <summary>Live machine updates for the web UI at <see cref="Path"/>; clients receive <see cref="IMachineHubClient.MachineChanged"/>.</summary>
public sealed class MachineHub : Hub<IMachineHubClient>
{
    public const string Path = "/hubs/machines";
}

/// <summary>What the hub calls on its clients.</summary>
public interface IMachineHubClient
{
    Task MachineChanged(MachineSnapshot machine);
}
