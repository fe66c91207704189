using System.Globalization;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// This silo's subscription to the sales feed (<see cref="ISalesFeedGrain"/>): renews it well within its lifetime and
/// hands every change to the live pages of this silo (<see cref="SalesChanges"/>), as <c>MachineFeed</c> does for machines.
/// </summary>
internal sealed partial class SalesFeed(IGrainFactory grains, SalesChanges pages, TimeProvider time, ILogger<SalesFeed> logger)
    : BackgroundService, ISalesFeedObserver
{
    public Task Changed(SalesChange change)
    {
        pages.Publish(change);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<ISalesFeedObserver>(this);
        var feed = grains.GetGrain<ISalesFeedGrain>(ISalesFeedGrain.Key);
        using var renew = new PeriodicTimer(SalesFeedGrain.SubscriptionLifetime / 4, time);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the sales feed ({Reason}); retrying")]
    private partial void LogSubscribeFailed(string reason);
}

/// <summary>What the sales services tell every silo's pages: a deal or an activity changed.</summary>
internal sealed partial class SalesFeedPublisher(IGrainFactory grains, ILogger<SalesFeedPublisher> logger)
{
    public Task DealChangedAsync(long pipelineId, long customerId) =>
        PublishAsync(SalesChange.PipelineTopic(pipelineId), SalesChange.CustomerTopic(customerId));

    public Task ActivityChangedAsync(long? customerId) =>
        customerId is { } id ? PublishAsync(SalesChange.ActivitiesTopic, SalesChange.CustomerTopic(id)) : PublishAsync(SalesChange.ActivitiesTopic);

    private async Task PublishAsync(params string[] topics)
    {
        // The change is saved already: a page that misses it catches up when next loaded, so a failed fan-out is only logged.
        try
        {
            var feed = grains.GetGrain<ISalesFeedGrain>(ISalesFeedGrain.Key);
            foreach (var topic in topics)
            {
                await feed.Publish(new SalesChange(topic));
            }
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            LogPublishFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the live pages of a sales change ({Reason})")]
    private partial void LogPublishFailed(string reason);
}

/// <summary>
/// The sales feed inside one silo: a live page subscribes to a topic while open. Handlers run on the feed's thread, in
/// the culture the page subscribed in; a page hands the change to its renderer (<c>InvokeAsync</c>) and returns.
/// </summary>
internal sealed class SalesChanges
{
    private readonly Lock _gate = new();
    private volatile Subscriber[] _subscribers = [];

    public IDisposable Subscribe(string topic, Action<SalesChange> changed)
    {
        var subscriber = new Subscriber(this, topic, changed, CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return subscriber;
    }

    public void Publish(SalesChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        foreach (var subscriber in _subscribers)
        {
            if (subscriber.Topic == change.Topic)
            {
                subscriber.Deliver(change);
            }
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscriber)];
        }
    }

    private sealed class Subscriber(SalesChanges owner, string topic, Action<SalesChange> changed, CultureInfo culture, CultureInfo uiCulture) : IDisposable
    {
        public string Topic { get; } = topic;

        public void Deliver(SalesChange change)
        {
            var (threadCulture, threadUiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            try
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
                changed(change);
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (threadCulture, threadUiCulture);
            }
        }

        public void Dispose() => owner.Remove(this);
    }
}
