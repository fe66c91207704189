using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// Subscription service set (OPC 10000-4 §5.13): subscriptions of a session, Publish and Republish, and the transfer of
/// a subscription to another session.
/// </summary>
public sealed partial class OpcUaServer
{
    /// <summary>CreateSubscription (OPC 10000-4 §5.13.2).</summary>
    private CreateSubscriptionResponse CreateSubscription(ServerSession session, CreateSubscriptionRequest create, DateTime now)
    {
        if (session.SubscriptionCount >= Options.MaxSubscriptionsPerSession)
        {
            throw new OpcUaException(StatusCode.BadTooManySubscriptions, "Too many subscriptions.");
        }

        (var interval, var lifetime, var keepAlive) = ReviseSubscription(create.RequestedPublishingInterval, create.RequestedLifetimeCount, create.RequestedMaxKeepAliveCount);
        var id = (uint)Interlocked.Increment(ref _subscriptionId);
        ServerSubscription subscription = new(id, session, this, interval, lifetime, keepAlive, create.MaxNotificationsPerPublish, create.PublishingEnabled);
        _subscriptions[id] = subscription;
        session.AddSubscription(subscription);
        return new CreateSubscriptionResponse(ResponseHeader.For(create.RequestHeader, now), id, interval, lifetime, keepAlive);
    }

    /// <summary>ModifySubscription (OPC 10000-4 §5.13.3).</summary>
    private ModifySubscriptionResponse ModifySubscription(ServerSession session, ModifySubscriptionRequest modify, DateTime now)
    {
        var subscription = RequireSubscription(session, modify.SubscriptionId);
        (var interval, var lifetime, var keepAlive) = ReviseSubscription(modify.RequestedPublishingInterval, modify.RequestedLifetimeCount, modify.RequestedMaxKeepAliveCount);
        subscription.Modify(interval, lifetime, keepAlive, modify.MaxNotificationsPerPublish);
        return new ModifySubscriptionResponse(ResponseHeader.For(modify.RequestHeader, now), interval, lifetime, keepAlive);
    }

    /// <summary>DeleteSubscriptions (OPC 10000-4 §5.13.8).</summary>
    private StatusCodesResponse DeleteSubscriptions(ServerSession session, DeleteSubscriptionsRequest delete, DateTime now) =>
        new(
            BinaryEncodingIds.DeleteSubscriptionsResponse_Encoding_DefaultBinary,
            ResponseHeader.For(delete.RequestHeader, now),
            [.. delete.SubscriptionIds.Select(id => DeleteSubscription(session, id))]);

    /// <summary>TransferSubscriptions (OPC 10000-4 §5.13.7).</summary>
    private TransferSubscriptionsResponse TransferSubscriptions(ServerSession session, TransferSubscriptionsRequest transfer, DateTime now)
    {
        CheckCount(transfer.SubscriptionIds.Count, 0);
        return new TransferSubscriptionsResponse(ResponseHeader.For(transfer.RequestHeader, now), [.. transfer.SubscriptionIds.Select(id => TransferSubscription(session, id, transfer.SendInitialValues))]);
    }

    /// <summary>
    /// Publish (OPC 10000-4 §5.13.5): acknowledges what the client received and queues the request in its session; a
    /// subscription answers it when it has notifications or a keep-alive to send, so this returns null.
    /// </summary>
    private static IServiceResponse? Publish(ServerConnection connection, ServerSession session, uint requestId, PublishRequest publish)
    {
        StatusCode[] acks = [.. publish.SubscriptionAcknowledgements.Select(a => session.FindSubscription(a.SubscriptionId)?.Acknowledge(a.SequenceNumber) ?? StatusCode.BadSubscriptionIdInvalid)];
        session.EnqueuePublish(new PendingPublish(connection, requestId, publish.RequestHeader.RequestHandle, acks));
        return null;
    }

    /// <summary>Republish (OPC 10000-4 §5.13.6): a NotificationMessage again from the subscription's retransmission queue.</summary>
    private static RepublishResponse Republish(ServerSession session, RepublishRequest republish, DateTime now)
    {
        var subscription = RequireSubscription(session, republish.SubscriptionId);
        var message = subscription.Republish(republish.RetransmitSequenceNumber) ?? throw new OpcUaException(StatusCode.BadMessageNotAvailable, "Not in the retransmission queue.");
        return new RepublishResponse(ResponseHeader.For(republish.RequestHeader, now), message);
    }

    private static ServerSubscription RequireSubscription(ServerSession session, uint subscriptionId) =>
        session.FindSubscription(subscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");

    private (double Interval, uint Lifetime, uint KeepAlive) ReviseSubscription(double interval, uint lifetime, uint keepAlive)
    {
        var revised = double.IsNaN(interval) || interval < Options.MinPublishingInterval ? Options.MinPublishingInterval : Math.Min(interval, 3_600_000);
        var revisedKeepAlive = keepAlive == 0 ? 10 : Math.Min(keepAlive, 10_000);
        var revisedLifetime = Math.Max(lifetime, revisedKeepAlive * 3);
        return (revised, revisedLifetime, revisedKeepAlive);
    }

    private StatusCode DeleteSubscription(ServerSession session, uint id)
    {
        if (session.FindSubscription(id) is not { } subscription)
        {
            return StatusCode.BadSubscriptionIdInvalid;
        }

        RemoveSubscription(subscription);
        return StatusCode.Good;
    }

    /// <summary>
    /// TransferSubscriptions (OPC 10000-4 §5.13.7): a subscription of another (usually lost) session of the same user moves
    /// to this session with its items and retransmission queue; its available sequence numbers tell the client what
    /// to Republish.
    /// </summary>
    private TransferResult TransferSubscription(ServerSession session, uint id, bool sendInitialValues)
    {
        if (!_subscriptions.TryGetValue(id, out var subscription))
        {
            return new TransferResult(StatusCode.BadSubscriptionIdInvalid, []);
        }

        var owner = subscription.Session;
        if (owner != session)
        {
            if (owner.UserName != session.UserName || !SameClientCertificate(owner, session))
            {
                return new TransferResult(StatusCode.BadUserAccessDenied, []);
            }

            if (session.SubscriptionCount >= Options.MaxSubscriptionsPerSession)
            {
                return new TransferResult(StatusCode.BadTooManySubscriptions, []);
            }

            owner.DetachSubscription(id);
            subscription.MoveTo(session);
            session.AddSubscription(subscription);
        }

        return new TransferResult(StatusCode.Good, subscription.TransferredTo(sendInitialValues));
    }

    private static bool SameClientCertificate(ServerSession a, ServerSession b) =>
        (a.ClientCertificate ?? []).AsSpan().SequenceEqual(b.ClientCertificate ?? []);

    /// <summary>A subscription whose lifetime expired (or that was deleted) leaves the server.</summary>
    internal void RemoveSubscription(ServerSubscription subscription)
    {
        _subscriptions.TryRemove(new KeyValuePair<uint, ServerSubscription>(subscription.Id, subscription));
        subscription.Session.DetachSubscription(subscription.Id);
        subscription.Dispose();
    }
}
