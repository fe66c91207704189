using Orleans.Concurrency;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// Something changed on a topic a live page shows: a pipeline's board (<c>pipeline:{id}</c>), a customer's page
/// (<c>customer:{id}</c>) or the activities (<c>activities</c>); <see cref="Lookers"/> is set when who is looking changed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SalesChange([property: Id(0)] string Topic, [property: Id(1)] IReadOnlyList<Looker>? Lookers = null)
{
    public static string PipelineTopic(long id) => $"pipeline:{id}";

    public static string CustomerTopic(long id) => $"customer:{id}";

    public const string ActivitiesTopic = "activities";
}

/// <summary>A page open on a topic: its session (one per open page) and the person's name.</summary>
[GenerateSerializer, Immutable]
public sealed record Looker([property: Id(0)] string Session, [property: Id(1)] string Name);

/// <summary>
/// Fans sales changes out to every silo, as <see cref="Machines.IMachineFeedGrain"/> does for machines: each silo's
/// <see cref="SalesFeed"/> subscribes one observer and hands what it hears to the live pages there. One instance, key <see cref="Key"/>.
/// </summary>
public interface ISalesFeedGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>Subscribes or renews; a subscription not renewed within <see cref="SalesFeedGrain.SubscriptionLifetime"/> lapses.</summary>
    Task Subscribe(ISalesFeedObserver observer);

    [OneWay]
    Task Publish(SalesChange change);
}

/// <summary>A silo's receiver of sales changes.</summary>
public interface ISalesFeedObserver : IGrainObserver
{
    [OneWay]
    Task Changed(SalesChange change);
}

/// <summary>
/// Who has a topic's page open (key: the topic). A page looks every <see cref="Lease"/>/3 and leaves when it closes; a
/// page that stops looking (its circuit gone) drops out when its lease runs out. Every change of the set is published.
/// </summary>
public interface IPresenceGrain : IGrainWithStringKey
{
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(45);

    /// <summary>Starts or renews a page's lease; returns everyone looking, the page itself too.</summary>
    Task<IReadOnlyList<Looker>> Look(Looker looker);

    Task Leave(string session);
}
