using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Tests.Server;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>Our client against our server on loopback: the services end to end over real sockets.</summary>
public sealed class ClientServerTests : IAsyncLifetime
{
    private readonly SamplingClock _clock = new(TimeSpan.FromMilliseconds(10));
    private OpcUaServer _server = null!;
    private VariableNode _speed = null!;
    private VariableNode _counter = null!;
    private ushort _ns;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0, Users = new Dictionary<string, string> { ["operator"] = "s3cret" } }, _clock);
        _ns = _server.AddressSpace.RegisterNamespace("urn:domioops:test");
        var now = DateTime.UtcNow;
        _server.AddressSpace.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(_ns, "Machines"), new QualifiedName(_ns, "Machines"));
        _server.AddressSpace.AddObject(new NodeId(_ns, "Machines"), new NodeId(_ns, "Saw1"), new QualifiedName(_ns, "Saw1"));
        _speed = _server.AddressSpace.AddVariable(new NodeId(_ns, "Saw1"), new NodeId(_ns, "Saw1.Speed"), new QualifiedName(_ns, "Speed"), new Variant(1.0), now, writable: true, euRange: (0, 100));
        _counter = _server.AddressSpace.AddVariable(new NodeId(_ns, "Saw1"), new NodeId(_ns, "Saw1.Pieces"), new QualifiedName(_ns, "Pieces"), new Variant(0), now);
        for (var i = 0; i < 25; i++)
        {
            _server.AddressSpace.AddVariable(new NodeId(_ns, "Machines"), new NodeId(_ns, $"Tag{i}"), new QualifiedName(_ns, $"Tag{i}"), new Variant(i), now);
        }

        await _server.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<OpcUaClient> ConnectAsync(string? user = null, string? password = null)
    {
        OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, UserName = user, Password = password, ReconnectDelay = TimeSpan.FromMilliseconds(100) });
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        return client;
    }

    [Fact]
    public async Task ConnectAsync_Anonymous_ReadsNamespacesAndOperationLimits()
    {
        await using var client = await ConnectAsync();
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(_ns, client.NamespaceIndexOf("urn:domioops:test"));
        Assert.Equal(1_000u, client.OperationLimits.MaxNodesPerBrowse);
        Assert.Equal(1, _server.SessionCount);
    }

    [Fact]
    public async Task ConnectAsync_UserNameWithRightPassword_Activates()
    {
        await using var client = await ConnectAsync("operator", "s3cret");
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task ConnectAsync_WrongPassword_ThrowsUserAccessDenied()
    {
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => ConnectAsync("operator", "wrong"));
        Assert.Equal(StatusCode.BadUserAccessDenied, ex.StatusCode);
    }

    [Fact]
    public async Task BrowseAllAsync_SmallPages_FollowsContinuationPoints()
    {
        await using var client = await ConnectAsync();
        var refs = await client.BrowseAllAsync(new NodeId(_ns, "Machines"), TestContext.Current.CancellationToken, pageSize: 4);
        Assert.Equal(26, refs.Count);
        Assert.Contains(refs, r => r.BrowseName == new QualifiedName(_ns, "Saw1") && r.NodeClass == NodeClass.Object);
        Assert.Contains(refs, r => r.BrowseName == new QualifiedName(_ns, "Tag24") && r.NodeClass == NodeClass.Variable);
    }

    [Fact]
    public async Task BrowseAsync_UnknownNode_ReturnsBadNodeIdUnknown()
    {
        await using var client = await ConnectAsync();
        var results = await client.BrowseAsync([new BrowseDescription(new NodeId(_ns, "Nope"))], 0, TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.BadNodeIdUnknown, results[0].StatusCode);
    }

    [Fact]
    public async Task TranslateBrowsePathsAsync_PathFromObjects_FindsVariable()
    {
        await using var client = await ConnectAsync();
        BrowsePath path = new(WellKnownNodes.ObjectsFolder,
        [
            new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(_ns, "Machines")),
            new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(_ns, "Saw1")),
            new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(_ns, "Speed")),
        ]);
        BrowsePath missing = new(WellKnownNodes.ObjectsFolder, [new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(_ns, "Nope"))]);
        var results = await client.TranslateBrowsePathsAsync([path, missing], TestContext.Current.CancellationToken);
        Assert.Equal(new NodeId(_ns, "Saw1.Speed"), Assert.Single(results[0].Targets).TargetId.NodeId);
        Assert.Equal(StatusCode.BadNoMatch, results[1].StatusCode);
    }

    [Fact]
    public async Task WriteAsync_ThenRead_ReturnsWrittenValueAndRefusesReadOnly()
    {
        await using var client = await ConnectAsync();
        var written = await client.WriteAsync(
        [
            new WriteValue(new NodeId(_ns, "Saw1.Speed"), new Variant(42.5)),
            new WriteValue(new NodeId(_ns, "Saw1.Pieces"), new Variant(7)),
            new WriteValue(new NodeId(_ns, "Saw1.Speed"), new Variant("text")),
        ], TestContext.Current.CancellationToken);
        Assert.Equal([StatusCode.Good, StatusCode.BadNotWritable, StatusCode.BadTypeMismatch], written);
        var value = await client.ReadValueAsync(new NodeId(_ns, "Saw1.Speed"), TestContext.Current.CancellationToken);
        Assert.Equal(42.5, value.Value.Value);
        var attrs = await client.ReadAsync(
        [
            new ReadValueId(new NodeId(_ns, "Saw1.Speed"), AttributeId.BrowseName),
            new ReadValueId(new NodeId(_ns, "Saw1.Speed"), AttributeId.DataType),
            new ReadValueId(new NodeId(_ns, "Nope")),
        ], TestContext.Current.CancellationToken);
        Assert.Equal(new QualifiedName(_ns, "Speed"), attrs[0].Value.Value);
        Assert.Equal(new NodeId(0, 11u), attrs[1].Value.Value);
        Assert.Equal(StatusCode.BadNodeIdUnknown, attrs[2].StatusCode);
    }

    [Fact]
    public async Task Subscription_ValueChanges_DeliversEveryChangeAndInitialValue()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), TestContext.Current.CancellationToken);
        var items = await subscription.AddItemsAsync(
        [
            new MonitoredItemRequest(new NodeId(_ns, "Saw1.Pieces"), SamplingInterval: 10, QueueSize: 100),
            new MonitoredItemRequest(new NodeId(_ns, "Nope")),
        ], TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.Good, items[0].Status);
        Assert.Equal(StatusCode.BadNodeIdUnknown, items[1].Status);

        var first = await subscription.Values.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, first.Value.Value.Value);
        for (var i = 1; i <= 5; i++)
        {
            _counter.SetValue(new Variant(i), DateTime.UtcNow);
            var change = await subscription.Values.ReadAsync(TestContext.Current.CancellationToken);
            Assert.Equal(i, change.Value.Value.Value);
            Assert.Same(items[0], change.Item);
        }
    }

    [Fact]
    public async Task Subscription_AbsoluteDeadband_SuppressesSmallChanges()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), TestContext.Current.CancellationToken);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(_ns, "Saw1.Speed"), 10, 100, new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Absolute, 5))], TestContext.Current.CancellationToken);
        Assert.Equal(1.0, (await subscription.Values.ReadAsync(TestContext.Current.CancellationToken)).Value.Value.Value);
        _speed.SetValue(new Variant(3.0), DateTime.UtcNow);
        // Sampled (and dropped by the deadband) before the next value is written: had it passed, it would come first.
        await _clock.SampledAsync(TestContext.Current.CancellationToken);
        _speed.SetValue(new Variant(10.0), DateTime.UtcNow);
        Assert.Equal(10.0, (await subscription.Values.ReadAsync(TestContext.Current.CancellationToken)).Value.Value.Value);
    }

    [Fact]
    public async Task Subscription_PercentDeadbandWithoutEURange_ItemRefused()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(), TestContext.Current.CancellationToken);
        var items = await subscription.AddItemsAsync(
        [
            new MonitoredItemRequest(new NodeId(_ns, "Saw1.Pieces"), Filter: new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Percent, 10)),
            new MonitoredItemRequest(new NodeId(_ns, "Saw1.Speed"), Filter: new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Percent, 10)),
        ], TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.BadMonitoredItemFilterUnsupported, items[0].Status);
        Assert.Equal(StatusCode.Good, items[1].Status);
    }

    [Fact]
    public async Task Subscription_NoChanges_ReceivesKeepAlives()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20, KeepAliveCount: 2), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => subscription.KeepAliveCount >= 3, "three keep-alives", TestContext.Current.CancellationToken);

        // Keep-alives carry no notifications: nothing was delivered and no message was counted lost.
        Assert.Equal(2u, subscription.RevisedKeepAliveCount);
        Assert.Equal(0, subscription.NotificationCount);
        Assert.Equal(0, subscription.LostMessages);
        Assert.False(subscription.Values.TryRead(out _));
    }

    [Fact]
    public async Task Client_ServerRestart_RecreatesSessionSubscriptionAndItems()
    {
        var port = _server.Port;
        await using var client = await ConnectAsync();
        // A first subscription, deleted, so that the one under test has id 2 here and the new server's first id, 1, after the restart.
        await (await client.CreateSubscriptionAsync(new SubscriptionOptions(), TestContext.Current.CancellationToken)).DeleteAsync(TestContext.Current.CancellationToken);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), TestContext.Current.CancellationToken);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(_ns, "Saw1.Pieces"), 10, 100), new MonitoredItemRequest(new NodeId(_ns, "Nope"))], TestContext.Current.CancellationToken);
        Assert.Equal(0, (await subscription.Values.ReadAsync(TestContext.Current.CancellationToken)).Value.Value.Value);
        var oldId = subscription.Id;

        await _server.DisposeAsync();
        _server = new OpcUaServer(new OpcUaServerOptions { Port = port });
        var ns = _server.AddressSpace.RegisterNamespace("urn:domioops:test");
        var pieces = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Saw1.Pieces"), new QualifiedName(ns, "Pieces"), new Variant(100), DateTime.UtcNow);
        await _server.StartAsync(TestContext.Current.CancellationToken);

        var afterRestart = await subscription.Values.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(100, afterRestart.Value.Value.Value);
        Assert.Equal(1, client.Reconnects);
        // Recreated on the new server (which never saw id 2), not carried over by its old id.
        Assert.Equal(2u, oldId);
        Assert.Equal(1u, subscription.Id);
        Assert.Single(client.Subscriptions);
        Assert.Equal(StatusCode.Good, subscription.Items[0].Status);
        Assert.Equal(StatusCode.BadNodeIdUnknown, subscription.Items[1].Status);
        pieces.SetValue(new Variant(101), DateTime.UtcNow);
        Assert.Equal(101, (await subscription.Values.ReadAsync(TestContext.Current.CancellationToken)).Value.Value.Value);
    }
}
