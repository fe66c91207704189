using Microsoft.Extensions.Logging;

using Orleans.Utilities;

namespace DomioOps.Cloud.Machines;

internal sealed class MachineFeedGrain(ILogger<MachineFeedGrain> logger) : Grain, IMachineFeedGrain
{
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<IMachineFeedObserver> observers = new(SubscriptionLifetime, logger);

    public Task Subscribe(IMachineFeedObserver observer)
    {
        observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Publish(MachineSnapshot machine)
    {
        observers.Notify(observer => observer.MachineChanged(machine));
        return Task.CompletedTask;
    }

    public Task PublishEdge(Ingestion.EdgeSnapshot edge)
    {
        observers.Notify(observer => observer.EdgeChanged(edge));
        return Task.CompletedTask;
    }

    public Task EndSessions(string subject)
    {
        observers.Notify(observer => observer.EndSessions(subject));
        return Task.CompletedTask;
    }
}
