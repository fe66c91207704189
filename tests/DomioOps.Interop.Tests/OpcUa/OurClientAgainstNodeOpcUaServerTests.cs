using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our OPC UA client against the node-opcua server (Peers/node-opcua/server.js), SecurityPolicy None.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class OurClientAgainstNodeOpcUaServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<OpcUaClient> ConnectAsync(int port)
    {
        OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{port}", ReconnectDelay = TimeSpan.FromMilliseconds(250) });
        await client.ConnectAsync(Ct);
        return client;
    }

    [Fact]
    public async Task Client_BrowseTranslateReadWrite_AgainstNodeOpcUa()
    {
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 10, Ct);
        await using var client = await ConnectAsync(port);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        Assert.True(ns > 0);
        Assert.Equal(200u, client.OperationLimits.MaxMonitoredItemsPerCall);

        var objects = await client.BrowseAllAsync(WellKnownNodes.ObjectsFolder, Ct);
        Assert.Contains(objects, r => r.BrowseName == new QualifiedName(ns, "Saw1"));
        Assert.Contains(objects, r => r.BrowseName == new QualifiedName(0, "Server"));
        var tags = await client.BrowseAllAsync(new NodeId(ns, "Tags"), Ct, pageSize: 3);
        Assert.Equal(10, tags.Count(r => r.NodeClass == NodeClass.Variable));

        var paths = await client.TranslateBrowsePathsAsync(
        [
            new BrowsePath(WellKnownNodes.ObjectsFolder, [new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(ns, "Saw1")), new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(ns, "Speed"))]),
        ], Ct);
        Assert.Equal(new NodeId(ns, "Saw1.Speed"), Assert.Single(paths[0].Targets).TargetId.NodeId);

        Assert.Equal(StatusCode.Good, await client.WriteValueAsync(new NodeId(ns, "Saw1.Speed"), new Variant(12.5), Ct));
        var values = await client.ReadAsync(
        [
            new ReadValueId(new NodeId(ns, "Saw1.Speed")),
            new ReadValueId(new NodeId(ns, "Saw1.Speed"), AttributeId.DisplayName),
            new ReadValueId(WellKnownNodes.ServerStatusState),
            new ReadValueId(new NodeId(ns, "Missing")),
        ], Ct);
        Assert.Equal(12.5, values[0].Value.Value);
        Assert.NotNull(values[0].SourceTimestamp);
        Assert.Equal("Speed", ((LocalizedText)values[1].Value.Value!).Text);
        Assert.Equal(0, values[2].Value.Value);
        Assert.Equal(StatusCode.BadNodeIdUnknown, values[3].StatusCode);
        Assert.Equal(StatusCode.BadTypeMismatch, await client.WriteValueAsync(new NodeId(ns, "Saw1.Speed"), new Variant("x"), Ct));
        Assert.Equal(StatusCode.BadNotWritable, await client.WriteValueAsync(new NodeId(ns, "Saw1.Pieces"), new Variant(3), Ct));
    }

    [Fact]
    public async Task Subscription_1000ItemsAt100ms_DeliversEveryChange()
    {
        const int Tags = 1000;
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, Tags, Ct);
        await using var client = await ConnectAsync(port);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 100), Ct);
        var items = await subscription.AddItemsAsync(
            [.. Enumerable.Range(0, Tags).Select(i => new MonitoredItemRequest(new NodeId(ns, $"Tag{i}"), SamplingInterval: 100, QueueSize: 10)), new MonitoredItemRequest(new NodeId(ns, "NoSuchTag"))],
            Ct);
        Assert.All(items.Take(Tags), i => Assert.Equal(StatusCode.Good, i.Status));
        Assert.Equal(StatusCode.BadNodeIdUnknown, items[Tags].Status);

        await ExpectRoundAsync(subscription, items, Tags, 0);
        for (var round = 1; round <= 3; round++)
        {
            var written = await client.WriteAsync([.. Enumerable.Range(0, Tags).Select(i => new WriteValue(new NodeId(ns, $"Tag{i}"), new Variant((round * 10_000) + i)))], Ct);
            Assert.All(written, s => Assert.Equal(StatusCode.Good, s));
            await ExpectRoundAsync(subscription, items, Tags, round);
        }
    }

    /// <summary>Reads values until every item has reported (round * 10000 + index); any other value fails the test.</summary>
    private static async Task ExpectRoundAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, int tags, int round)
    {
        HashSet<uint> pending = [.. items.Take(tags).Select(i => i.ClientHandle)];
        var index = items.Take(tags).Select((item, i) => (item.ClientHandle, i)).ToDictionary();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (pending.Count > 0)
        {
            var value = await subscription.Values.ReadAsync(timeout.Token);
            var expected = (round * 10_000) + index[value.Item.ClientHandle];
            Assert.Equal(round == 0 ? 0 : expected, value.Value.Value.Value);
            Assert.True(pending.Remove(value.Item.ClientHandle), $"Item {value.Item.NodeId} reported twice in round {round}.");
        }
    }

    [Fact]
    public async Task Client_NodeOpcUaServerRestart_HealsSubscriptionWithoutLosingItems()
    {
        // 450 items: more than the peer's MaxMonitoredItemsPerCall (200), so the recreation after the restart is batched;
        // one unknown node rides along and must not take the others down.
        const int Tags = 450;
        var port = FreePort.Next();
        var server = await NodeOpcUaPeer.StartServerAsync(port, Tags, Ct);
        try
        {
            await using var client = await ConnectAsync(port);
            var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
            var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 100), Ct);
            var items = await subscription.AddItemsAsync(
                [.. Enumerable.Range(0, Tags).Select(i => new MonitoredItemRequest(new NodeId(ns, $"Tag{i}"), 100, 10)), new MonitoredItemRequest(new NodeId(ns, "NoSuchTag"))], Ct);
            await ExpectRoundAsync(subscription, items, Tags, 0);

            await server.DisposeAsync();
            server = await NodeOpcUaPeer.StartServerAsync(port, Tags, Ct);

            // The restarted server refuses TransferSubscriptions (it never heard of the old ids), so the client recreates
            // the subscription and every item; each reports its initial value again.
            await ExpectRoundAsync(subscription, items, Tags, 0);
            Assert.Equal(ConnectionState.Connected, client.State);
            Assert.Equal(1, client.Reconnects);
            Assert.Equal(1, client.SessionRecreations);
            Assert.Equal(0, client.SubscriptionTransfers);
            Assert.NotEqual(0u, subscription.Id);
            Assert.All(subscription.Items.Where(i => i.NodeId != new NodeId(ns, "NoSuchTag")), i => Assert.Equal(StatusCode.Good, i.Status));
            Assert.Equal(StatusCode.BadNodeIdUnknown, subscription.Items.Single(i => i.NodeId == new NodeId(ns, "NoSuchTag")).Status);
            await client.WriteAsync([.. Enumerable.Range(0, Tags).Select(i => new WriteValue(new NodeId(ns, $"Tag{i}"), new Variant(10_000 + i)))], Ct);
            await ExpectRoundAsync(subscription, items, Tags, 1);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Client_RegisterNodesAndIndexRange_AgainstNodeOpcUa()
    {
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 3, Ct);
        await using var client = await ConnectAsync(port);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        var registered = await client.RegisterNodesAsync([new NodeId(ns, "Saw1.Profile"), new NodeId(ns, "Saw1.Program")], Ct);
        var profile = registered[0];
        var program = registered[1];

        var read = await client.ReadAsync(
        [
            new ReadValueId(profile, AttributeId.Value, "2:4"),
            new ReadValueId(profile, AttributeId.Value, "8:20"),
            new ReadValueId(program, AttributeId.Value, "1:3"),
            new ReadValueId(profile, AttributeId.Value, "10"),
            new ReadValueId(profile, AttributeId.Value, "4:2"),
        ], Ct);
        Assert.Equal([2, 3, 4], (int[])read[0].Value.Value!);
        Assert.Equal([8, 9], (int[])read[1].Value.Value!);
        Assert.Equal("aln", read[2].Value.Value);
        Assert.Equal(StatusCode.BadIndexRangeNoData, read[3].StatusCode);
        Assert.Equal(StatusCode.BadIndexRangeInvalid, read[4].StatusCode);

        var written = await client.WriteAsync(
        [
            new WriteValue(profile, AttributeId.Value, "1:2", new DataValue(new Variant(new[] { 100, 101 }))),
            new WriteValue(profile, AttributeId.Value, "4:2", new DataValue(new Variant(new[] { 1, 2 }))),
        ], Ct);
        Assert.Equal([StatusCode.Good, StatusCode.BadIndexRangeInvalid], written);
        var whole = (int[])(await client.ReadValueAsync(profile, Ct)).Value.Value!;
        Assert.Equal([0, 100, 101, 3, 4, 5, 6, 7, 8, 9], whole);
        await client.UnregisterNodesAsync(registered, Ct);
    }

    [Fact]
    public async Task Client_MatrixIndexRange_AgainstNodeOpcUa()
    {
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 3, Ct);
        await using var client = await ConnectAsync(port);
        NodeId grid = new((ushort)client.NamespaceIndexOf("urn:domioops:peer"), "Saw1.Grid");

        var read = await client.ReadAsync(
        [
            new ReadValueId(grid),
            new ReadValueId(grid, AttributeId.Value, "1:2,0:1"),
        ], Ct);
        var written = await client.WriteAsync([new WriteValue(grid, AttributeId.Value, "0:1,1:2", new DataValue(Variant.Matrix(new[] { 100, 101, 102, 103 }, [2, 2])))], Ct);
        var after = (await client.ReadAsync([new ReadValueId(grid)], Ct))[0];

        // The same answers as our server gives (MonitoringModeAndIndexRangeTests). A row past the end ("3,0") is not
        // compared: node-opcua 2.186.4 answers Good there, where OPC 10000-4 §7.27 (and our server) says BadIndexRangeNoData.
        Assert.Equal(Variant.Matrix(Enumerable.Range(0, 12).ToArray(), [3, 4]), read[0].Value);
        Assert.Equal(Variant.Matrix(new[] { 4, 5, 8, 9 }, [2, 2]), read[1].Value);
        Assert.Equal([StatusCode.Good], written);
        Assert.Equal(Variant.Matrix(new[] { 0, 100, 101, 3, 4, 102, 103, 7, 8, 9, 10, 11 }, [3, 4]), after.Value);
    }

    [Fact]
    public async Task Subscription_SetMonitoringModeAndTriggering_AgainstNodeOpcUa()
    {
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 3, Ct);
        await using var client = await ConnectAsync(port);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        NodeId a = new(ns, "Tag0");
        NodeId b = new(ns, "Tag1");
        NodeId barrier = new(ns, "Tag2");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        var items = await subscription.AddItemsAsync(
            [new MonitoredItemRequest(a, 10), new MonitoredItemRequest(b, 10, MonitoringMode: MonitoringMode.Sampling), new MonitoredItemRequest(barrier, 10)], Ct);
        Assert.All(items, i => Assert.Equal(StatusCode.Good, i.Status));
        Assert.DoesNotContain(await UntilBarrierAsync(subscription, barrier, 0), v => v.Node == b);

        // Sampling: B's change stays queued at the server while the barrier's change arrives.
        await client.WriteAsync([new WriteValue(b, new Variant(5)), new WriteValue(barrier, new Variant(1))], Ct);
        Assert.DoesNotContain(await UntilBarrierAsync(subscription, barrier, 1), v => v.Node == b);

        // Triggering: A's change brings B's queued value along.
        (var added, _) = await subscription.SetTriggeringAsync(items[0], [items[1]], [], Ct);
        Assert.Equal([StatusCode.Good], added);
        // (B samples but never reports by itself, so its value arriving at all is the trigger's doing; when it arrives
        // relative to a barrier depends on the server's per-item sampling timers, so only its arrival is awaited.)
        await client.WriteAsync([new WriteValue(a, new Variant(1))], Ct);
        var triggered = await UntilSeenAsync(subscription, (a, 1), (b, 5));
        Assert.Contains((a, 1), triggered);
        Assert.Contains((b, 5), triggered);

        // Reporting: B reports by itself.
        Assert.Equal([StatusCode.Good], await subscription.SetMonitoringModeAsync([items[1]], MonitoringMode.Reporting, Ct));
        await client.WriteAsync([new WriteValue(b, new Variant(6))], Ct);
        await client.WriteAsync([new WriteValue(barrier, new Variant(3))], Ct);
        Assert.Contains((b, 6), await UntilBarrierAsync(subscription, barrier, 3));
    }

    /// <summary>Values until every one of <paramref name="expected"/> has been reported (at most 20 s).</summary>
    private static async Task<List<(NodeId Node, int Value)>> UntilSeenAsync(OpcUaSubscription subscription, params (NodeId Node, int Value)[] expected)
    {
        List<(NodeId, int)> seen = [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!expected.All(seen.Contains))
        {
            var next = await subscription.Values.ReadAsync(timeout.Token);
            seen.Add((next.Item.NodeId, (int)next.Value.Value.Value!));
        }

        return seen;
    }

    /// <summary>Values until the barrier node reports <paramref name="value"/>; changes written before it arrive before or with it.</summary>
    private static async Task<List<(NodeId Node, int Value)>> UntilBarrierAsync(OpcUaSubscription subscription, NodeId barrier, int value)
    {
        List<(NodeId, int)> seen = [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await subscription.Values.ReadAsync(timeout.Token);
            if (next.Item.NodeId == barrier && (int)next.Value.Value.Value! == value)
            {
                while (subscription.Values.TryRead(out var more))
                {
                    seen.Add((more.Item.NodeId, (int)more.Value.Value.Value!));
                }

                return seen;
            }

            seen.Add((next.Item.NodeId, (int)next.Value.Value.Value!));
        }
    }

    [Fact]
    public async Task Client_NodeOpcUaServerDialsInWithReverseHello_ReadsAndSubscribes()
    {
        var port = FreePort.Next();
        var listen = $"opc.tcp://127.0.0.1:{FreePort.Next()}";
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{port}", ReverseConnectUrl = listen });
        var connect = client.ConnectAsync(Ct);
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 3, Ct, listen);
        await connect.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        Assert.True(ns > 0);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(ns, "Tag1"), 10, 10)], Ct);
        Assert.Equal(0, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
        Assert.Equal(StatusCode.Good, await client.WriteValueAsync(new NodeId(ns, "Tag1"), new Variant(12), Ct));
        Assert.Equal(12, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
    }
}
