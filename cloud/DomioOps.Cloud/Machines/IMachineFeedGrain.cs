using Orleans.Concurrency;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// Fans machine changes out to every silo: each silo subscribes one <see cref="IMachineFeedObserver"/> that
/// pushes to the SignalR clients connected to it, so a browser sees every machine whichever silo it reached.
/// One instance, key <see cref="Key"/>.
/// </summary>
public interface IMachineFeedGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>Subscribes or renews; a subscription not renewed within <see cref="MachineFeedGrain.SubscriptionLifetime"/> lapses.</summary>
    Task Subscribe(IMachineFeedObserver observer);

    [OneWay]
    Task Publish(MachineSnapshot machine);

    /// <summary>An edge came or went, or reported its backlog and configuration.</summary>
    [OneWay]
    Task PublishEdge(Ingestion.EdgeSnapshot edge);

    /// <summary>Every silo ends the hub connections of <paramref name="subject"/> (a user id, or an API key or terminal), whose access was revoked.</summary>
    [OneWay]
    Task EndSessions(string subject);
}

/// <summary>A silo's receiver of machine changes.</summary>
public interface IMachineFeedObserver : IGrainObserver
{
    [OneWay]
    Task MachineChanged(MachineSnapshot machine);

    [OneWay]
    Task EdgeChanged(Ingestion.EdgeSnapshot edge);

    [OneWay]
    Task EndSessions(string subject);
}
