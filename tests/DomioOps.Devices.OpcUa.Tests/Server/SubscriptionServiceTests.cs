using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>Publish, acknowledgements, Republish and subscription/item maintenance, driven as raw service calls and through the client.</summary>
public sealed class SubscriptionServiceTests : IAsyncLifetime
{
    private readonly SamplingClock _clock = new(TimeSpan.FromMilliseconds(10));
    private OpcUaServer _server = null!;
    private VariableNode _pieces = null!;
    private VariableNode _tag = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 }, _clock);
        _pieces = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Pieces"), new QualifiedName(2, "Pieces"), new Variant(0), DateTime.UtcNow);
        _tag = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Tag"), new QualifiedName(2, "Tag"), new Variant(0), DateTime.UtcNow);
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static RequestHeader Header(NodeId token, uint handle) => new(token, DateTime.UtcNow, handle, TimeoutHint: 10_000);

    [Fact]
    public async Task Republish_UnacknowledgedMessage_ReturnedUntilAcknowledged()
    {
        var timeout = TimeSpan.FromSeconds(10);
        await using var channel = await ClientSecureChannel.OpenAsync(_server.EndpointUrl, TransportLimits.Default, 60_000, TimeProvider.System, Ct);
        ApplicationDescription app = new("urn:test", null, new LocalizedText("t"), ApplicationType.Client);
        var session = await channel.RequestAsync<CreateSessionResponse>(new CreateSessionRequest(Header(NodeId.Null, 1), app, null, _server.EndpointUrl, "s", new byte[32], null, 60_000, 0), timeout, Ct);
        var token = session.AuthenticationToken;
        await channel.RequestAsync<ActivateSessionResponse>(new ActivateSessionRequest(Header(token, 2), SignatureData.Empty, [], new ExtensionObject(new NodeId(0, BinaryEncodingIds.AnonymousIdentityToken_Encoding_DefaultBinary), new AnonymousIdentityToken("anonymous")), SignatureData.Empty), timeout, Ct);
        var subscription = await channel.RequestAsync<CreateSubscriptionResponse>(new CreateSubscriptionRequest(Header(token, 3), 20, 1000, 100, 0, true, 0), timeout, Ct);
        var items = await channel.RequestAsync<CreateMonitoredItemsResponse>(new CreateMonitoredItemsRequest(Header(token, 4), subscription.SubscriptionId, TimestampsToReturn.Both,
            [new MonitoredItemCreateRequest(new ReadValueId(new NodeId(2, "Pieces")), MonitoringMode.Reporting, new MonitoringParameters(7, 10, ExtensionObject.Null, 1, true))]), timeout, Ct);
        Assert.Equal(StatusCode.Good, items.Results[0].StatusCode);

        var first = await channel.RequestAsync<PublishResponse>(new PublishRequest(Header(token, 5), []), timeout, Ct);
        var sequence = first.NotificationMessage.SequenceNumber;
        Assert.Contains(sequence, first.AvailableSequenceNumbers);
        var data = Assert.IsType<DataChangeNotification>(Assert.Single(first.NotificationMessage.NotificationData).Body);
        Assert.Equal(7u, Assert.Single(data.MonitoredItems).ClientHandle);

        var again = await channel.RequestAsync<RepublishResponse>(new RepublishRequest(Header(token, 6), subscription.SubscriptionId, sequence), timeout, Ct);
        Assert.Equal(sequence, again.NotificationMessage.SequenceNumber);

        _pieces.SetValue(new Variant(1), DateTime.UtcNow);
        var second = await channel.RequestAsync<PublishResponse>(new PublishRequest(Header(token, 7), [new SubscriptionAcknowledgement(subscription.SubscriptionId, sequence), new SubscriptionAcknowledgement(subscription.SubscriptionId, 999)]), timeout, Ct);
        Assert.Equal([StatusCode.Good, StatusCode.BadSequenceNumberUnknown], second.Results);
        Assert.DoesNotContain(sequence, second.AvailableSequenceNumbers);
        var gone = await Assert.ThrowsAsync<OpcUaException>(() => channel.RequestAsync<RepublishResponse>(new RepublishRequest(Header(token, 8), subscription.SubscriptionId, sequence), timeout, Ct));
        Assert.Equal(StatusCode.BadMessageNotAvailable, gone.StatusCode);

        var deleted = await channel.RequestAsync<StatusCodesResponse>(new DeleteSubscriptionsRequest(Header(token, 9), [subscription.SubscriptionId, 12345]), timeout, Ct);
        Assert.Equal([StatusCode.Good, StatusCode.BadSubscriptionIdInvalid], deleted.Results);
        var none = await Assert.ThrowsAsync<OpcUaException>(() => channel.RequestAsync<PublishResponse>(new PublishRequest(Header(token, 10), []), timeout, Ct));
        Assert.Equal(StatusCode.BadNoSubscription, none.StatusCode);
    }

    [Fact]
    public async Task Request_WithoutSession_ServiceFaultSessionIdInvalid()
    {
        await using var channel = await ClientSecureChannel.OpenAsync(_server.EndpointUrl, TransportLimits.Default, 60_000, TimeProvider.System, Ct);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => channel.RequestAsync<ReadResponse>(new ReadRequest(Header(new NodeId(1, "forged"), 1), 0, TimestampsToReturn.Both, [new ReadValueId(new NodeId(2, "Pieces"))]), TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(StatusCode.BadSessionIdInvalid, ex.StatusCode);
    }

    [Fact]
    public async Task Subscription_ModifyAndRemoveItem_RemovedItemStopsReporting()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var items = await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Tag"), 10), new MonitoredItemRequest(new NodeId(2, "Pieces"), 10)], Ct);
        await subscription.Values.ReadAsync(Ct);
        await subscription.Values.ReadAsync(Ct);

        await subscription.ModifyAsync(new SubscriptionOptions(PublishingInterval: 40, KeepAliveCount: 5), Ct);
        Assert.Equal(40, subscription.RevisedPublishingInterval);
        Assert.Equal(5u, subscription.RevisedKeepAliveCount);
        await subscription.RemoveItemsAsync([items[0]], Ct);

        // The sentinel: Tag's 5 is sampled before Pieces' 9 is written, so a removed item still reporting would deliver
        // it first, or in the same Publish response.
        _tag.SetValue(new Variant(5), DateTime.UtcNow);
        await _clock.SampledAsync(Ct);
        _pieces.SetValue(new Variant(9), DateTime.UtcNow);
        var next = await subscription.Values.ReadAsync(Ct);
        Assert.Same(items[1], next.Item);
        Assert.Equal(9, next.Value.Value.Value);
        while (subscription.Values.TryRead(out var more))
        {
            Assert.Same(items[1], more.Item);
        }

        await subscription.DeleteAsync(Ct);
        Assert.Empty(client.Subscriptions);
    }
}
