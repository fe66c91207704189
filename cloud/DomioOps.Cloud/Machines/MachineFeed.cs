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
    private IMachineFeedObserver? _reference;

    /// <summary>
    /// Hands the change to the live pages and to SignalR without waiting for the sends: Orleans hands this observer its
    /// calls one at a time, and a connection that stops reading (a tablet asleep with its socket open) would hold every
    /// other client's changes until SignalR closes it (<see cref="MachinesOptions.HubSendTimeout"/>). SignalR writes to
    /// each connection in the order the sends were started.
    /// </summary>
    public Task MachineChanged(MachineSnapshot machine)
    {
        pages.Publish(machine);
        var sending = hub.Clients.Groups(Security.TerminalScope.HubGroups(machine)).MachineChanged(machine);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = LogIfFailedAsync(sending, machine.Id);
        }

        return Task.CompletedTask;
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

    /// <summary>
    /// Subscribes before this silo serves its first hub client or page (the web server starts after the hosted services),
    /// so a change in between is not lost to them; a failure is logged and the renewals retry.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SubscribeAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var renew = new PeriodicTimer(MachineFeedGrain.SubscriptionLifetime / 4, time);
        while (await renew.WaitForNextTickAsync(stoppingToken))
        {
            await SubscribeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        _reference ??= grains.CreateObjectReference<IMachineFeedObserver>(this);
        try
        {
            await grains.GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key).Subscribe(_reference);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Orleans or the feed grain's storage: the next renewal tries again, so renewing must not end.
            LogSubscribeFailed(e.Message);
        }
    }

    private async Task LogIfFailedAsync(Task sending, string machine)
    {
        try
        {
            await sending;
        }
        catch (Exception e)
        {
            LogSendFailed(e, machine);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the change of machine {Machine} to the hub's clients")]
    private partial void LogSendFailed(Exception exception, string machine);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the machine feed ({Reason}); retrying")]
    private partial void LogSubscribeFailed(string reason);
}
