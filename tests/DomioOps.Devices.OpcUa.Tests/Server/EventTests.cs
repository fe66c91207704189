using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>Events (OPC 10000-4 §5.12.1.4): our client's event items on our server, select clauses and where clauses.</summary>
public sealed class EventTests : IAsyncLifetime
{
    private static readonly NodeId AlarmConditionType = new(0, 2915u);
    private static readonly NodeId ConditionType = new(0, 2782u);
    private OpcUaServer _server = null!;
    private ObjectNode _router = null!;
    private ObjectNode _spindle = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        _router = _server.AddressSpace.AddObject(WellKnownNodes.ObjectsFolder, new NodeId(2, "Router1"), new QualifiedName(2, "Router1"));
        _router.EventNotifier = 1;
        _spindle = _server.AddressSpace.AddObject(_router.NodeId, new NodeId(2, "Router1.Spindle"), new QualifiedName(2, "Spindle"));
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<(OpcUaClient Client, OpcUaSubscription Subscription, MonitoredItem Item)> SubscribeAsync(NodeId notifier, EventFilter filter)
    {
        OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var item = Assert.Single(await subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(notifier, filter)], Ct));
        return (client, subscription, item);
    }

    [Fact]
    public async Task RaiseEvent_ItemOnServerObject_ReceivesSelectedFields()
    {
        (var client, var subscription, var item) = await SubscribeAsync(
            WellKnownNodes.Server, EventFilter.Select("EventId", "EventType", "SourceNode", "SourceName", "Time", "Message", "Severity", "ConditionName", "NoSuchField"));
        await using var owned = client;
        Assert.Equal(StatusCode.Good, item.Status);
        DateTime time = new(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc);
        BaseEvent raised = new(_spindle.NodeId, "Router1.Spindle", new LocalizedText("en", "Spindle overload"), 800)
        {
            EventType = AlarmConditionType,
            Time = time,
            Fields = new Dictionary<string, Variant> { ["ConditionName"] = new Variant("SpindleOverload") },
        };

        _server.RaiseEvent(raised);
        var received = await subscription.Events.ReadAsync(Ct);

        Assert.Same(item, received.Item);
        Assert.Equal(
            [
                new Variant(raised.EventId), new Variant(AlarmConditionType), new Variant(_spindle.NodeId), new Variant("Router1.Spindle"),
                new Variant(time), new Variant(new LocalizedText("en", "Spindle overload")), new Variant((ushort)800), new Variant("SpindleOverload"), Variant.Null,
            ],
            received.Fields);
    }

    [Fact]
    public async Task RaiseEvent_WhereOfType_OnlyMatchingTypesReported()
    {
        (var client, var subscription, _) = await SubscribeAsync(
            _router.NodeId, EventFilter.Select("Message", "EventType") with { WhereClause = ContentFilter.OfType(ConditionType) });
        await using var owned = client;

        _server.RaiseEvent(new BaseEvent(_spindle.NodeId, "Spindle", new LocalizedText("plain event")));
        _server.RaiseEvent(new BaseEvent(_spindle.NodeId, "Spindle", new LocalizedText("alarm")) { EventType = AlarmConditionType });
        _server.RaiseEvent(new BaseEvent(WellKnownNodes.Server, "Server", new LocalizedText("not below the router")) { EventType = AlarmConditionType });
        _server.RaiseEvent(new BaseEvent(_spindle.NodeId, "Spindle", new LocalizedText("condition")) { EventType = ConditionType });

        Assert.Equal(new Variant(new LocalizedText("alarm")), (await subscription.Events.ReadAsync(Ct)).Fields[0]);
        Assert.Equal(new Variant(new LocalizedText("condition")), (await subscription.Events.ReadAsync(Ct)).Fields[0]);
        Assert.False(subscription.Events.TryRead(out _));
    }

    [Fact]
    public async Task RaiseEvent_WhereSeverityAndNotOfType_FilterEvaluated()
    {
        // (Severity >= 500) And Not(OfType ConditionType)
        ContentFilter where = new(
            [
                new ContentFilterElement(FilterOperator.And, [new ElementOperand(1), new ElementOperand(2)]),
                new ContentFilterElement(FilterOperator.GreaterThanOrEqual, [SimpleAttributeOperand.Field("Severity"), new LiteralOperand(new Variant((ushort)500))]),
                new ContentFilterElement(FilterOperator.Not, [new ElementOperand(3)]),
                new ContentFilterElement(FilterOperator.OfType, [new LiteralOperand(new Variant(ConditionType))]),
            ]);
        (var client, var subscription, _) = await SubscribeAsync(WellKnownNodes.Server, EventFilter.Select("Severity") with { WhereClause = where });
        await using var owned = client;

        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("low"), 100));
        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("alarm"), 900) { EventType = AlarmConditionType });
        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("high"), 700));
        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("edge"), 500));

        Assert.Equal(new Variant((ushort)700), (await subscription.Events.ReadAsync(Ct)).Fields[0]);
        Assert.Equal(new Variant((ushort)500), (await subscription.Events.ReadAsync(Ct)).Fields[0]);
        Assert.False(subscription.Events.TryRead(out _));
    }

    [Fact]
    public async Task CreateEventItem_BadRequests_SpecificStatus()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var select = EventFilter.Select("Message");

        var items = await subscription.AddItemsAsync(
            [
                MonitoredItemRequest.ForEvents(_spindle.NodeId, select),
                MonitoredItemRequest.ForEvents(_router.NodeId, new EventFilter([])),
                MonitoredItemRequest.ForEvents(_router.NodeId, select with { WhereClause = new ContentFilter([new ContentFilterElement(FilterOperator.Like, [new LiteralOperand(new Variant("a")), new LiteralOperand(new Variant("b"))])]) }),
                new MonitoredItemRequest(_router.NodeId, 0, 10, null, AttributeId.EventNotifier),
                new MonitoredItemRequest(_router.NodeId, 0, 10, null, AttributeId.DisplayName, EventFilter: select),
            ],
            Ct);

        Assert.Equal(
            [StatusCode.BadNotSupported, StatusCode.BadMonitoredItemFilterInvalid, StatusCode.BadMonitoredItemFilterUnsupported, StatusCode.BadMonitoredItemFilterInvalid, StatusCode.BadFilterNotAllowed],
            items.Select(i => i.Status));
    }
}
