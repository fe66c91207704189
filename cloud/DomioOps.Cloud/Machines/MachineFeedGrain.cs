using Microsoft.Extensions.Logging;

using Orleans.Utilities;

namespace DomioOps.Cloud.Machines;

internal sealed class MachineFeedGrain(ILogger<MachineFeedGrain> logger) : Grain, IMachineFeedGrain
{
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<IMachineFeedObserver> _observers = new(SubscriptionLifetime, logger);

    public Task Subscribe(IMachineFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Publish(MachineSnapshot machine)
    {
        _observers.Notify(observer => observer.MachineChanged(machine));
        return Task.CompletedTask;
    }

    public Task PublishEdge(Ingestion.EdgeSnapshot edge)
    {
        _observers.Notify(observer => observer.EdgeChanged(edge));
        return Task.CompletedTask;
    }

    public Task EndSessions(string subject)
    {
        _observers.Notify(observer => observer.EndSessions(subject));
        return Task.CompletedTask;
    }
}
