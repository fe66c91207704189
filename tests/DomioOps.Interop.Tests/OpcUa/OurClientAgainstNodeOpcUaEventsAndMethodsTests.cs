using System.Globalization;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our client against a node-opcua server (Peers/node-opcua/events-server.js): Call of its methods, and event items that
// receive what its raiseEvent reports, filtered by an OfType where clause.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class OurClientAgainstNodeOpcUaEventsAndMethodsTests : IAsyncLifetime
{
    private static readonly NodeId SystemEventType = new(0, 2130u);
    private PeerProcess _server = null!;
    private int _port;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        _port = FreePort.Next();
        _server = PeerProcess.Start("node", ["events-server.js", _port.ToString(CultureInfo.InvariantCulture)], NodeOpcUaPeer.Folder);
        await _server.WaitForOutputAsync($"listening {_port}", TimeSpan.FromSeconds(60), Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<(OpcUaClient Client, ushort Ns)> ConnectAsync()
    {
        OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{_port}" });
        await client.ConnectAsync(Ct);
        return (client, (ushort)client.NamespaceIndexOf("urn:domioops:peer"));
    }

    [Fact]
    public async Task CallMethod_NodeOpcUaMethod_OutputsAndArgumentErrors()
    {
        (OpcUaClient client, ushort ns) = await ConnectAsync();
        await using OpcUaClient owned = client;
        NodeId saw = new(ns, "Saw1");

        IReadOnlyList<Variant> product = await client.CallMethodAsync(saw, new NodeId(ns, "Saw1.Multiply"), [new Variant(6.0), new Variant(7.0)], Ct);
        IReadOnlyList<CallMethodResult> bad = await client.CallAsync(
            [
                new CallMethodRequest(saw, new NodeId(ns, "Saw1.Multiply"), [new Variant(6.0)]),
                new CallMethodRequest(saw, new NodeId(ns, "Saw1.Multiply"), [new Variant(6.0), new Variant("seven")]),
                new CallMethodRequest(saw, new NodeId(ns, "Saw1.Nothing"), []),
            ],
            Ct);

        Assert.Equal([new Variant(42.0)], product);
        Assert.Equal([StatusCode.BadArgumentsMissing, StatusCode.BadInvalidArgument, StatusCode.BadMethodInvalid], bad.Select(r => r.StatusCode));
        Assert.Equal(StatusCode.BadTypeMismatch, bad[1].InputArgumentResults[1]);
    }

    [Fact]
    public async Task EventItem_NodeOpcUaRaisesEvents_OfTypeFilterApplied()
    {
        (OpcUaClient client, ushort ns) = await ConnectAsync();
        await using OpcUaClient owned = client;
        NodeId saw = new(ns, "Saw1");
        NodeId raise = new(ns, "Saw1.RaiseEvent");
        OpcUaSubscription subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        EventFilter filter = EventFilter.Select("EventType", "SourceName", "Message", "Severity", "EventId") with { WhereClause = ContentFilter.OfType(SystemEventType) };
        MonitoredItem item = Assert.Single(await subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(saw, filter)], Ct));
        Assert.Equal(StatusCode.Good, item.Status);

        await client.CallMethodAsync(saw, raise, [new Variant("plain"), new Variant((ushort)100), new Variant(false)], Ct);
        IReadOnlyList<Variant> raised = await client.CallMethodAsync(saw, raise, [new Variant("Blade worn"), new Variant((ushort)700), new Variant(true)], Ct);
        MonitoredItemEvent received = await subscription.Events.ReadAsync(Ct);

        Assert.Equal([new Variant(2u)], raised);
        Assert.Same(item, received.Item);
        Assert.Equal(new Variant(SystemEventType), received.Fields[0]);
        Assert.Equal(new Variant("Saw1"), received.Fields[1]);
        Assert.Equal("Blade worn", Assert.IsType<LocalizedText>(received.Fields[2].Value).Text);
        Assert.Equal(new Variant((ushort)700), received.Fields[3]);
        Assert.Equal(BuiltInType.ByteString, received.Fields[4].Type);

        // The plain event was raised first: had the filter let it through, it would have come before this one.
        Assert.False(subscription.Events.TryRead(out _));
    }
}
