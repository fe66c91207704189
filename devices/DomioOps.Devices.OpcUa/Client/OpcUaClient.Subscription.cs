using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// Subscription service set (OPC 10000-4 §5.13): subscriptions created, recreated, transferred to a new session and deleted;
/// the delivery of their NotificationMessages in sequence order, with Republish for the gaps.
/// </summary>
public sealed partial class OpcUaClient
{
    /// <summary>CreateSubscription (OPC 10000-4 §5.13.2); publishing starts at once.</summary>
    public async Task<OpcUaSubscription> CreateSubscriptionAsync(SubscriptionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = OperationLimits.MaxSubscriptionsPerSession;
        if (max != 0 && Subscriptions.Count >= max)
        {
            throw new OpcUaException(StatusCode.BadTooManySubscriptions, $"The server allows {max} subscriptions per session.");
        }

        OpcUaSubscription subscription = new(this, options);
        await CreateSubscriptionOnServerAsync(subscription, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        RestartPublishing();
        return subscription;
    }

    private async Task CreateSubscriptionOnServerAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        var o = subscription.Options;
        var response = await RequestAsync<CreateSubscriptionResponse>(
            new CreateSubscriptionRequest(Header(_authenticationToken), o.PublishingInterval, o.LifetimeCount, o.KeepAliveCount, o.MaxNotificationsPerPublish, true, o.Priority),
            cancellationToken).ConfigureAwait(false);
        subscription.Id = response.SubscriptionId;
        subscription.RevisedPublishingInterval = response.RevisedPublishingInterval;
        subscription.RevisedKeepAliveCount = response.RevisedMaxKeepAliveCount;
        subscription.RevisedLifetimeCount = response.RevisedLifetimeCount;
        subscription.ResetSequence();
    }

    private async Task RecreateSubscriptionAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        await CreateSubscriptionOnServerAsync(subscription, cancellationToken).ConfigureAwait(false);
        List<MonitoredItem> items = [.. subscription.Items];
        foreach (var item in items)
        {
            item.ServerId = 0;
            item.Status = StatusCode.BadWaitingForInitialData;
        }

        await CreateItemsOnServerAsync(subscription, items, cancellationToken).ConfigureAwait(false);
        foreach (var trigger in items.Where(i => i.TriggeredItems.Count > 0 && i.Status.IsGood))
        {
            await SetTriggeringOnServerAsync(subscription, trigger, [.. trigger.TriggeredItems.Where(i => i.Status.IsGood)], [], cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task ModifySubscriptionOnServerAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        var o = subscription.Options;
        var response = await RequestAsync<ModifySubscriptionResponse>(
            new ModifySubscriptionRequest(Header(_authenticationToken), subscription.Id, o.PublishingInterval, o.LifetimeCount, o.KeepAliveCount, o.MaxNotificationsPerPublish, o.Priority),
            cancellationToken).ConfigureAwait(false);
        subscription.RevisedPublishingInterval = response.RevisedPublishingInterval;
        subscription.RevisedKeepAliveCount = response.RevisedMaxKeepAliveCount;
        subscription.RevisedLifetimeCount = response.RevisedLifetimeCount;
    }

    internal async Task DeleteSubscriptionAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }

        subscription.Complete();
        await RequestAsync<StatusCodesResponse>(new DeleteSubscriptionsRequest(Header(_authenticationToken), [subscription.Id]), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new session takes over the subscriptions of the lost one (OPC 10000-4 §5.13.7) with SendInitialValues, and
    /// Republishes the messages that the old session's server sent but this client never received. A subscription the
    /// server does not know any more (it restarted, or the lifetime ran out) is left with id 0 to be recreated.
    /// </summary>
    private async Task TransferSubscriptionsAsync(CancellationToken cancellationToken)
    {
        List<OpcUaSubscription> held = [.. Subscriptions.Where(s => s.Id != 0)];
        if (held.Count == 0)
        {
            return;
        }

        TransferSubscriptionsResponse? response = null;
        try
        {
            response = await RequestAsync<TransferSubscriptionsResponse>(new TransferSubscriptionsRequest(Header(_authenticationToken), [.. held.Select(s => s.Id)], true), cancellationToken).ConfigureAwait(false);
        }
        catch (OpcUaException ex) when (!IsConnectionLost(ex.StatusCode))
        {
            // The server refuses the service as a whole (unsupported, or nothing to transfer): recreate everything.
        }

        for (var i = 0; i < held.Count; i++)
        {
            var subscription = held[i];
            var result = response is not null && i < response.Results.Count ? response.Results[i] : null;
            if (result is null || result.StatusCode.IsBad)
            {
                LogSubscriptionNotTransferred(_logger, Options.EndpointUrl, subscription.Id, result?.StatusCode ?? StatusCode.BadServiceUnsupported);
                OpcUaMetrics.SubscriptionTransfers.Add(1, OpcUaMetrics.Result(transferred: false));
                subscription.Id = 0;
                continue;
            }

            SubscriptionTransfers++;
            OpcUaMetrics.SubscriptionTransfers.Add(1, OpcUaMetrics.Result(transferred: true));
            LogSubscriptionTransferred(_logger, Options.EndpointUrl, subscription.Id, result.AvailableSequenceNumbers.Count);
            foreach (var sequence in result.AvailableSequenceNumbers.Order())
            {
                if (!subscription.HasDelivered(sequence))
                {
                    var republished = await RequestAsync<RepublishResponse>(new RepublishRequest(Header(_authenticationToken), subscription.Id, sequence), cancellationToken).ConfigureAwait(false);
                    subscription.DeliverRepublished(republished.NotificationMessage);
                }

                _publishing.Acknowledge(subscription.Id, sequence);
            }
        }
    }

    /// <summary>A subscription the server already has, registered without a service call (tests and benchmarks feed it Publish responses).</summary>
    internal OpcUaSubscription AttachSubscription(uint id, SubscriptionOptions options)
    {
        OpcUaSubscription subscription = new(this, options) { Id = id };
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    internal OpcUaSubscription? FindSubscription(uint id)
    {
        lock (_gate)
        {
            foreach (var s in _subscriptions)
            {
                if (s.Id == id)
                {
                    return s;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The in-order delivery of a subscription's messages: a gap that lasts <see cref="OpcUaClientOptions.NotificationGapTimeout"/>
    /// (while connected) is Republished, and what the server no longer has is declared lost and logged.
    /// </summary>
    internal NotificationSequence CreateNotificationSequence(OpcUaSubscription subscription, Action<NotificationMessage> deliver) =>
        new(_time, Options.NotificationGapTimeout, deliver)
        {
            CanGiveUp = () => State == ConnectionState.Connected,
            Recover = missing => RepublishAsync(subscription, missing),
            Lost = (first, count) => LogNotificationMessagesLost(_logger, Options.EndpointUrl, subscription.Id, first, count),
        };

    internal void OnHandlerFailed(OpcUaSubscription subscription, Exception exception) =>
        LogHandlerFailed(_logger, exception, Options.EndpointUrl, subscription.Id);

    /// <summary>Republish (OPC 10000-4 §5.13.6) of missing messages, each acknowledged once received; one the server no longer has is skipped.</summary>
    private async Task RepublishAsync(OpcUaSubscription subscription, IReadOnlyList<uint> missing)
    {
        foreach (var sequence in missing)
        {
            try
            {
                var republished = await RequestAsync<RepublishResponse>(new RepublishRequest(Header(_authenticationToken), subscription.Id, sequence), _disposing.Token).ConfigureAwait(false);
                subscription.DeliverRepublished(republished.NotificationMessage);
                _publishing.Acknowledge(subscription.Id, sequence);
            }
            catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadMessageNotAvailable)
            {
                // Gone from the server's retransmission queue: lost.
            }
        }
    }

    /// <summary>
    /// A Publish response (OPC 10000-4 §5.13.5) read on the receive loop: a NotificationMessage that is the next of its
    /// subscription goes to the subscription straight from the receive buffer (nothing allocated per value); one that is
    /// not (held back, a duplicate) or a keep-alive is decoded in full. Null for a bad service result (the ordinary path throws it).
    /// </summary>
    internal DeliveredPublishResponse? ReadPublishResponse(ReadOnlySpan<byte> body, EncodingLimits limits)
    {
        UaBinaryReader r = new(body, limits);
        _ = r.ReadNodeId();
        var header = ResponseHeader.Decode(ref r);
        if (header.ServiceResult.IsBad)
        {
            return null;
        }

        var subscriptionId = r.ReadUInt32();
        var available = r.ReadArrayLength();
        _ = r.ReadRaw(Math.Max(available, 0) * 4);
        _ = r.ReadBoolean();
        var messageStart = r.Position;
        var sequence = r.ReadUInt32();
        _ = r.ReadDateTime();
        var count = r.ReadArrayLength();
        if (FindSubscription(subscriptionId) is { } subscription && !subscription.DeliverInPlace(sequence, ref r, count))
        {
            UaBinaryReader message = new(body[messageStart..], limits);
            subscription.Deliver(NotificationMessage.Decode(ref message));
        }

        return new DeliveredPublishResponse(header, subscriptionId, sequence, count > 0);
    }

    /// <summary>Starts the Publish requests on the current channel once there is a subscription (see <see cref="PublishLoop"/>).</summary>
    private void RestartPublishing()
    {
        var channel = _channel;
        lock (_gate)
        {
            if (_subscriptions.Count == 0 || channel is null)
            {
                return;
            }
        }

        _publishing.Restart(channel, _disposing.Token);
    }

    /// <summary>The longest keep-alive period of the subscriptions, at least 1 s: a Publish request is given twice that to be answered.</summary>
    internal double LongestKeepAliveMs()
    {
        double longest = 1000;
        lock (_gate)
        {
            foreach (var s in _subscriptions)
            {
                longest = Math.Max(longest, s.RevisedPublishingInterval * Math.Max(s.RevisedKeepAliveCount, 1));
            }
        }

        return longest;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} transferred, {Available} messages to check for Republish")]
    private static partial void LogSubscriptionTransferred(ILogger logger, string endpoint, uint subscriptionId, int available);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} not transferred ({Status}); recreating it and its items")]
    private static partial void LogSubscriptionNotTransferred(ILogger logger, string endpoint, uint subscriptionId, StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: a handler of subscription {SubscriptionId} failed; delivery goes on")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string endpoint, uint subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} lost {Count} notification messages from sequence number {First} (not received in time, not available for Republish)")]
    private static partial void LogNotificationMessagesLost(ILogger logger, string endpoint, uint subscriptionId, uint first, long count);
}
