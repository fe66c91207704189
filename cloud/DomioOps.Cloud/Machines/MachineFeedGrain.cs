using Microsoft.Extensions.Logging;

using Orleans.Utilities;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The fan-out to every silo's <see cref="MachineFeed"/>. The subscribers are stored as well as held: when this grain is
/// activated again (its silo left the cluster, in a rolling upgrade or a crash), the new activation reaches every silo at
/// once, rather than each after it next renews, and a machine change or a revocation in between is not lost.
/// </summary>
internal sealed class MachineFeedGrain(
    [PersistentState("subscribers")] IPersistentState<MachineFeedSubscribers> stored,
    ILogger<MachineFeedGrain> logger) : Grain, IMachineFeedGrain
{
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<IMachineFeedObserver> _observers = new(SubscriptionLifetime, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Those of silos gone since lapse as any subscription not renewed.
        foreach (var id in stored.State.Observers)
        {
            var observer = GrainFactory.GetGrain<IMachineFeedObserver>(GrainId.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
            _observers.Subscribe(observer, observer);
        }

        return Task.CompletedTask;
    }

    public async Task Subscribe(IMachineFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        if (stored.State.Observers.Contains(observer.GetGrainId().ToString()))
        {
            return;
        }

        _observers.ClearExpired();
        var written = stored.State;
        stored.State = new MachineFeedSubscribers { Observers = [.. _observers.Observers.Keys.Select(o => o.GetGrainId().ToString())] };
        try
        {
            await stored.WriteStateAsync();
        }
        catch
        {
            // The silo retries at its next renewal, which writes again.
            stored.State = written;
            throw;
        }
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

/// <summary>The silos' feed observers, by grain id, as last written.</summary>
[GenerateSerializer]
internal sealed class MachineFeedSubscribers
{
    [Id(0)] public List<string> Observers { get; set; } = [];
}
