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

    /// <summary>
    /// Every connection is recorded, so a revocation can close it (<see cref="HubSessions"/>); a terminal's joins only its
    /// machines' groups, so it hears of no other machine (<see cref="Security.TerminalScope"/>).
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        sessions.Add(Context);
        foreach (var group in Security.TerminalScope.HubGroupsOf(Context.User))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        }

        await base.OnConnectedAsync();
    }

    /// <summary>
    /// Answers once this connection has joined its groups. SignalR completes a client's start at the handshake, before
    /// <see cref="OnConnectedAsync"/> has run, and invocations are dispatched only after it: a client that awaits this and
    /// then reads the machines misses no change.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "SignalR calls instance methods of a hub only.")]
    public Task Joined() => Task.CompletedTask;

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
