using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.SignalR;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// Live machine updates for the web UI at <see cref="Path"/>; clients receive <see cref="IMachineHubClient.MachineChanged"/>.
/// Each connection is known to <see cref="HubSessions"/> while open, so that a revocation ends it.
/// </summary>
internal sealed class MachineHub(HubSessions sessions) : Hub<IMachineHubClient>
{
    public const string Path = "/hubs/machines";

    public override Task OnConnectedAsync()
    {
        sessions.Add(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sessions.Remove(Context);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>What the hub calls on its clients.</summary>
public interface IMachineHubClient
{
    Task MachineChanged(MachineSnapshot machine);
}
