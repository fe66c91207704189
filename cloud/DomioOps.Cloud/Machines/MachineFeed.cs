using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// This silo's subscription to the machine feed: renews it well within its lifetime and pushes every change
/// to the SignalR clients connected here and to the live pages of this silo (<see cref="MachineChanges"/>).
/// </summary>
internal sealed partial class MachineFeed(
    IGrainFactory grains,
    IHubContext<MachineHub, IMachineHubClient> hub,
    MachineChanges pages,
    Security.HubSessions sessions,
    TimeProvider time,
    ILogger<MachineFeed> logger) : BackgroundService, IMachineFeedObserver
{
    public Task MachineChanged(MachineSnapshot machine)
    {
        pages.Publish(machine);
        return hub.Clients.Groups(Security.TerminalScope.HubGroups(machine)).MachineChanged(machine);
    }

    public Task EdgeChanged(Ingestion.EdgeSnapshot edge)
    {
        pages.Publish(edge);
        return Task.CompletedTask;
    }

    public Task EndSessions(string subject)
    {
        sessions.End(subject);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<IMachineFeedObserver>(this);
        var feed = grains.GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key);
        using var renew = new PeriodicTimer(MachineFeedGrain.SubscriptionLifetime / 4, time);
        do
        {
            try
            {
                await feed.Subscribe(reference);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                LogSubscribeFailed(e.Message);
            }
        }
        while (await renew.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the machine feed ({Reason}); retrying")]
    private partial void LogSubscribeFailed(string reason);
}
