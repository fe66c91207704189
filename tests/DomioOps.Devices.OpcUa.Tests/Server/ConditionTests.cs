using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>Alarms &amp; Conditions methods (OPC 10000-9 §5.5, §5.7) on our server, called by our client.</summary>
public sealed class ConditionTests : IAsyncLifetime
{
    private static readonly string[] Fields = ["EventId", "EventType", "Message", "Retain", "EnabledState/Id", "ActiveState/Id", "AckedState/Id", "ConfirmedState/Id", "Comment", "ClientUserId"];
    private OpcUaServer _server = null!;
    private ObjectNode _router = null!;
    private AlarmCondition _alarm = null!;
    private OpcUaClient _client = null!;
    private OpcUaSubscription _subscription = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        _router = _server.AddressSpace.AddObject(WellKnownNodes.ObjectsFolder, new NodeId(2, "Router1"), new QualifiedName(2, "Router1"));
        _router.EventNotifier = 1;
        _alarm = _server.AddCondition(_router.NodeId, new NodeId(2, "Router1/SpindleOverload"), "SpindleOverload", ConditionMethods.AlarmConditionType, "Router1", confirmable: true);
        await _server.StartAsync(Ct);
        _client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await _client.ConnectAsync(Ct);
        _subscription = await _client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        EventFilter filter = new([.. Fields.Select(SimpleAttributeOperand.Field), SimpleAttributeOperand.ConditionId]);
        Assert.Equal(StatusCode.Good, Assert.Single(await _subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(_router.NodeId, filter)], Ct)).Status);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<ConditionEvent> NextAsync() => new((await _subscription.Events.ReadAsync(Ct)).Fields);

    private async Task<ConditionEvent> RaiseAsync()
    {
        _alarm.SetActive(true, new LocalizedText("en", "Spindle overload"), 800);
        return await NextAsync();
    }

    [Fact]
    public async Task Acknowledge_ActiveAlarm_AckedStateEventWithNewEventId()
    {
        var raised = await RaiseAsync();
        Assert.Equal((true, false, true), (raised.Active, raised.Acked, raised.Retain));
        Assert.Equal(_alarm.ConditionId, raised.ConditionId);
        Assert.Equal(ConditionMethods.AlarmConditionType, raised.EventType);

        await _client.AcknowledgeAsync(raised.ConditionId, raised.EventId, new LocalizedText("en", "spindle checked"), Ct);
        var acked = await NextAsync();

        Assert.Equal((true, true, false, true), (acked.Active, acked.Acked, acked.Confirmed, acked.Retain));
        Assert.NotEqual(raised.EventId, acked.EventId);
        Assert.Equal(new LocalizedText("en", "spindle checked"), acked.Comment);
        Assert.Equal(acked.EventId, _alarm.LastEventId);

        // Confirm, then the alarm clears: nothing left to retain.
        await _client.ConfirmAsync(acked.ConditionId, acked.EventId, new LocalizedText("en", "bearing replaced"), Ct);
        var confirmed = await NextAsync();
        Assert.Equal((true, true), (confirmed.Confirmed, confirmed.Retain));
        _alarm.SetActive(false, new LocalizedText("en", "Spindle load normal"), 100);
        var cleared = await NextAsync();
        Assert.Equal((false, true, true, false), (cleared.Active, cleared.Acked, cleared.Confirmed, cleared.Retain));
    }

    [Fact]
    public async Task Acknowledge_WrongEventOrTwice_SpecificStatus()
    {
        var raised = await RaiseAsync();

        var unknown = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(raised.ConditionId, [1, 2, 3], LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadEventIdUnknown, unknown.StatusCode);
        await _client.AcknowledgeAsync(raised.ConditionId, raised.EventId, LocalizedText.Null, Ct);
        var acked = await NextAsync();
        var twice = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(raised.ConditionId, acked.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadConditionBranchAlreadyAcked, twice.StatusCode);
        var stale = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(raised.ConditionId, raised.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadEventIdUnknown, stale.StatusCode);
        await _client.ConfirmAsync(raised.ConditionId, acked.EventId, LocalizedText.Null, Ct);
        var confirmed = await NextAsync();
        var confirmedTwice = await Assert.ThrowsAsync<OpcUaException>(() => _client.ConfirmAsync(raised.ConditionId, confirmed.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadConditionBranchAlreadyConfirmed, confirmedTwice.StatusCode);

        // On the type node, or on an object that is no condition: BadNodeIdInvalid; not a method of the object: BadMethodInvalid.
        var onType = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(ConditionMethods.AcknowledgeableConditionType, acked.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadNodeIdInvalid, onType.StatusCode);
        var onRouter = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(_router.NodeId, acked.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadMethodInvalid, onRouter.StatusCode);
        Assert.False(_subscription.Events.TryRead(out _));
    }

    [Fact]
    public async Task DisableEnable_ReportedAndEnforced()
    {
        var raised = await RaiseAsync();

        await _client.SetConditionEnabledAsync(raised.ConditionId, enabled: false, Ct);
        var disabled = await NextAsync();
        Assert.Equal((false, false), (disabled.Enabled, disabled.Retain));
        var again = await Assert.ThrowsAsync<OpcUaException>(() => _client.SetConditionEnabledAsync(raised.ConditionId, enabled: false, Ct));
        Assert.Equal(StatusCode.BadConditionAlreadyDisabled, again.StatusCode);
        var ack = await Assert.ThrowsAsync<OpcUaException>(() => _client.AcknowledgeAsync(raised.ConditionId, disabled.EventId, LocalizedText.Null, Ct));
        Assert.Equal(StatusCode.BadConditionDisabled, ack.StatusCode);

        // A disabled condition changes state silently; enabling reports the current state.
        _alarm.SetActive(true, new LocalizedText("en", "still overloaded"), 900);
        await _client.SetConditionEnabledAsync(raised.ConditionId, enabled: true, Ct);
        var enabled = await NextAsync();
        Assert.Equal((true, true, false, true), (enabled.Enabled, enabled.Active, enabled.Acked, enabled.Retain));
        Assert.Equal(new LocalizedText("en", "still overloaded"), enabled.Message);
        var enabledTwice = await Assert.ThrowsAsync<OpcUaException>(() => _client.SetConditionEnabledAsync(raised.ConditionId, enabled: true, Ct));
        Assert.Equal(StatusCode.BadConditionAlreadyEnabled, enabledTwice.StatusCode);
    }

    [Fact]
    public async Task AddComment_CommentReportedWithNewEventId()
    {
        var raised = await RaiseAsync();

        await _client.AddCommentAsync(raised.ConditionId, raised.EventId, new LocalizedText("en", "maintenance called"), Ct);
        var commented = await NextAsync();

        Assert.Equal(new LocalizedText("en", "maintenance called"), commented.Comment);
        Assert.Equal((true, false), (commented.Active, commented.Acked));
        Assert.NotEqual(raised.EventId, commented.EventId);
    }

    [Fact]
    public async Task ConditionRefresh_RetainedConditionsBetweenStartAndEnd()
    {
        var quiet = _server.AddCondition(_router.NodeId, new NodeId(2, "Router1/ToolBreakage"), "ToolBreakage", ConditionMethods.AlarmConditionType, "Router1");
        var raised = await RaiseAsync();

        await _client.ConditionRefreshAsync(_subscription, Ct);

        var start = await NextAsync();
        var current = await NextAsync();
        var end = await NextAsync();
        Assert.Equal(ConditionMethods.RefreshStartEventType, start.EventType);
        Assert.Equal(raised.EventId, current.EventId);
        Assert.Equal(_alarm.ConditionId, current.ConditionId);
        Assert.Equal(ConditionMethods.RefreshEndEventType, end.EventType);
        Assert.False(quiet.Retain);
        Assert.False(_subscription.Events.TryRead(out _));

        var unknown = await Assert.ThrowsAsync<OpcUaException>(() => _client.CallMethodAsync(ConditionMethods.ConditionType, ConditionMethods.ConditionRefresh, [new Variant(_subscription.Id + 1000)], Ct));
        Assert.Equal(StatusCode.BadSubscriptionIdInvalid, unknown.StatusCode);
    }

    /// <summary>One event of the item, by the fields of <see cref="ConditionTests.Fields"/> then ConditionId.</summary>
    private sealed record ConditionEvent(IReadOnlyList<Variant> Fields)
    {
        public byte[] EventId => (byte[])Fields[0].Value!;

        public NodeId EventType => (NodeId)Fields[1].Value!;

        public LocalizedText Message => (LocalizedText)Fields[2].Value!;

        public bool Retain => (bool)Fields[3].Value!;

        public bool Enabled => (bool)Fields[4].Value!;

        public bool Active => (bool)Fields[5].Value!;

        public bool Acked => (bool)Fields[6].Value!;

        public bool Confirmed => (bool)Fields[7].Value!;

        public LocalizedText Comment => (LocalizedText)Fields[8].Value!;

        public NodeId ConditionId => (NodeId)Fields[10].Value!;
    }
}
