using Microsoft.AspNetCore.SignalR;

namespace DomioOps.Cloud.Machines;

/// <summary>Live machine updates for the web UI at <see cref="Path"/>; clients receive <see cref="IMachineHubClient.MachineChanged"/>.</summary>
public sealed class MachineHub : Hub<IMachineHubClient>
{
    public const string Path = "/hubs/machines";

    /// <summary>A terminal's connection joins only its machines' group, so it hears of no other machine (<see cref="Security.TerminalScope"/>).</summary>
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, Security.TerminalScope.HubGroup(Context.User));
}

/// <summary>What the hub calls on its clients.</summary>
public interface IMachineHubClient
{
    Task MachineChanged(MachineSnapshot machine);
}
