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
        int port = FreePort.Next();
        await using PeerProcess server = await NodeOpcUaPeer.StartServerAsync(port, 10, Ct);
        await using OpcUaClient client = await ConnectAsync(port);
        ushort ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        Assert.True(ns > 0);
        Assert.Equal(200u, client.OperationLimits.MaxMonitoredItemsPerCall);

        IReadOnlyList<ReferenceDescription> objects = await client.BrowseAllAsync(WellKnownNodes.ObjectsFolder, Ct);
        Assert.Contains(objects, r => r.BrowseName == new QualifiedName(ns, "Saw1"));
        Assert.Contains(objects, r => r.BrowseName == new QualifiedName(0, "Server"));
        IReadOnlyList<ReferenceDescription> tags = await client.BrowseAllAsync(new NodeId(ns, "Tags"), Ct, pageSize: 3);
        Assert.Equal(10, tags.Count(r => r.NodeClass == NodeClass.Variable));

        IReadOnlyList<BrowsePathResult> paths = await client.TranslateBrowsePathsAsync(
        [
            new BrowsePath(WellKnownNodes.ObjectsFolder, [new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(ns, "Saw1")), new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(ns, "Speed"))]),
        ], Ct);
        Assert.Equal(new NodeId(ns, "Saw1.Speed"), Assert.Single(paths[0].Targets).TargetId.NodeId);

        Assert.Equal(StatusCode.Good, await client.WriteValueAsync(new NodeId(ns, "Saw1.Speed"), new Variant(12.5), Ct));
        IReadOnlyList<DataValue> values = await client.ReadAsync(
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
        int port = FreePort.Next();
        await using PeerProcess server = await NodeOpcUaPeer.StartServerAsync(port, Tags, Ct);
        await using OpcUaClient client = await ConnectAsync(port);
        ushort ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        OpcUaSubscription subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 100), Ct);
        IReadOnlyList<MonitoredItem> items = await subscription.AddItemsAsync(
            [.. Enumerable.Range(0, Tags).Select(i => new MonitoredItemRequest(new NodeId(ns, $"Tag{i}"), SamplingInterval: 100, QueueSize: 10)), new MonitoredItemRequest(new NodeId(ns, "NoSuchTag"))],
            Ct);
        Assert.All(items.Take(Tags), i => Assert.Equal(StatusCode.Good, i.Status));
        Assert.Equal(StatusCode.BadNodeIdUnknown, items[Tags].Status);

        await ExpectRoundAsync(subscription, items, Tags, 0);
        for (int round = 1; round <= 3; round++)
        {
            IReadOnlyList<StatusCode> written = await client.WriteAsync([.. Enumerable.Range(0, Tags).Select(i => new WriteValue(new NodeId(ns, $"Tag{i}"), new Variant((round * 10_000) + i)))], Ct);
            Assert.All(written, s => Assert.Equal(StatusCode.Good, s));
            await ExpectRoundAsync(subscription, items, Tags, round);
        }
    }

    /// <summary>Reads values until every item has reported (round * 10000 + index); any other value fails the test.</summary>
    private static async Task ExpectRoundAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, int tags, int round)
    {
        HashSet<uint> pending = [.. items.Take(tags).Select(i => i.ClientHandle)];
        Dictionary<uint, int> index = items.Take(tags).Select((item, i) => (item.ClientHandle, i)).ToDictionary();
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (pending.Count > 0)
        {
            MonitoredItemValue value = await subscription.Values.ReadAsync(timeout.Token);
            int expected = (round * 10_000) + index[value.Item.ClientHandle];
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
        int port = FreePort.Next();
        PeerProcess server = await NodeOpcUaPeer.StartServerAsync(port, Tags, Ct);
        try
        {
            await using OpcUaClient client = await ConnectAsync(port);
            ushort ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
            OpcUaSubscription subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 100), Ct);
            IReadOnlyList<MonitoredItem> items = await subscription.AddItemsAsync(
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
}
