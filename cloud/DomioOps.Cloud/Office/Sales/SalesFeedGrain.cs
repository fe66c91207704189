using Orleans.Utilities;

namespace DomioOps.Cloud.Office.Sales;

internal sealed class SalesFeedGrain(ILogger<SalesFeedGrain> logger) : Grain, ISalesFeedGrain
{
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<ISalesFeedObserver> _observers = new(SubscriptionLifetime, logger);

    public Task Subscribe(ISalesFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Publish(SalesChange change)
    {
        _observers.Notify(observer => observer.Changed(change));
        return Task.CompletedTask;
    }
}

/// <summary>The lookers of one topic, each with the time its lease runs out; the set is published whenever it changes.</summary>
internal sealed class PresenceGrain(TimeProvider time) : Grain, IPresenceGrain
{
    private readonly Dictionary<string, (Looker Looker, DateTimeOffset Until)> _lookers = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(ExpireAsync, new GrainTimerCreationOptions(IPresenceGrain.Lease / 3, IPresenceGrain.Lease / 3) { Interleave = false });
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<Looker>> Look(Looker looker)
    {
        ArgumentNullException.ThrowIfNull(looker);
        var known = _lookers.ContainsKey(looker.Session);
        _lookers[looker.Session] = (looker, time.GetUtcNow() + IPresenceGrain.Lease);
        var dropped = Drop();
        if (!known || dropped)
        {
            await PublishAsync();
        }

        return Current();
    }

    public async Task Leave(string session)
    {
        if (_lookers.Remove(session))
        {
            await PublishAsync();
        }
    }

    private async Task ExpireAsync(CancellationToken ct)
    {
        if (Drop())
        {
            await PublishAsync();
        }

        if (_lookers.Count == 0)
        {
            DeactivateOnIdle();
        }
    }

    private bool Drop()
    {
        var now = time.GetUtcNow();
        var gone = _lookers.Where(l => l.Value.Until <= now).Select(l => l.Key).ToList();
        foreach (var session in gone)
        {
            _lookers.Remove(session);
        }

        return gone.Count > 0;
    }

    private List<Looker> Current() => [.. _lookers.Values.Select(l => l.Looker).OrderBy(l => l.Name, StringComparer.CurrentCulture)];

    private Task PublishAsync() =>
        GrainFactory.GetGrain<ISalesFeedGrain>(ISalesFeedGrain.Key).Publish(new SalesChange(this.GetPrimaryKeyString(), Current()));
}
