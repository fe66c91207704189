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
        (var client, var ns) = await ConnectAsync();
        await using var owned = client;
        NodeId saw = new(ns, "Saw1");

        var product = await client.CallMethodAsync(saw, new NodeId(ns, "Saw1.Multiply"), [new Variant(6.0), new Variant(7.0)], Ct);
        var bad = await client.CallAsync(
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
        (var client, var ns) = await ConnectAsync();
        await using var owned = client;
        NodeId saw = new(ns, "Saw1");
        NodeId raise = new(ns, "Saw1.RaiseEvent");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        var filter = EventFilter.Select("EventType", "SourceName", "Message", "Severity", "EventId") with { WhereClause = ContentFilter.OfType(SystemEventType) };
        var item = Assert.Single(await subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(saw, filter)], Ct));
        Assert.Equal(StatusCode.Good, item.Status);

        await client.CallMethodAsync(saw, raise, [new Variant("plain"), new Variant((ushort)100), new Variant(false)], Ct);
        var raised = await client.CallMethodAsync(saw, raise, [new Variant("Blade worn"), new Variant((ushort)700), new Variant(true)], Ct);
        var received = await subscription.Events.ReadAsync(Ct);

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

    [Fact]
    public async Task Acknowledge_NodeOpcUaAlarm_AckedAndConfirmedStatesReported()
    {
        (var client, var ns) = await ConnectAsync();
        await using var owned = client;
        NodeId saw = new(ns, "Saw1");
        NodeId alarm = new(ns, "Saw1.BladeBroken");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        EventFilter filter = new([.. new[] { "EventId", "EventType", "ActiveState/Id", "AckedState/Id", "ConfirmedState/Id", "Comment", "Retain" }.Select(SimpleAttributeOperand.Field), SimpleAttributeOperand.ConditionId]);
        // On the Server object: node-opcua reports Saw1's events there too (Saw1 is its event source) and the refresh bracket only there.
        Assert.Equal(StatusCode.Good, Assert.Single(await subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(new NodeId(0, 2253u), filter)], Ct)).Status);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        List<string> seen = [];
        async Task<IReadOnlyList<Variant>> NextAsync(Func<IReadOnlyList<Variant>, bool> wanted)
        {
            while (true)
            {
                IReadOnlyList<Variant> fields;
                try
                {
                    fields = (await subscription.Events.ReadAsync(bound.Token)).Fields;
                }
                catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"No expected event within 60 s; received: {string.Join(" | ", seen)}");
                }

                seen.Add(string.Join(", ", fields.Skip(1).Select(f => f.Value is LocalizedText t ? t.Text : f.Value?.ToString())));
                if (wanted(fields))
                {
                    return fields;
                }
            }
        }

        await client.CallMethodAsync(saw, new NodeId(ns, "Saw1.SetAlarm"), [new Variant(true)], Ct);
        var raised = await NextAsync(f => Equals(f[2].Value, true) && Equals(f[3].Value, false));
        Assert.Equal(new Variant(alarm), raised[7]);

        await client.AcknowledgeAsync(alarm, (byte[])raised[0].Value!, new LocalizedText("en", "blade changed"), Ct);
        var acked = await NextAsync(f => Equals(f[3].Value, true));
        Assert.Equal((new Variant(alarm), new Variant(false)), (acked[7], acked[4]));
        Assert.NotEqual(raised[0], acked[0]);
        Assert.Equal("blade changed", Assert.IsType<LocalizedText>(acked[5].Value).Text);

        // ConditionRefresh: the acknowledged, unconfirmed (so retained) alarm between RefreshStartEvent and RefreshEndEvent.
        await client.ConditionRefreshAsync(subscription, Ct);
        await NextAsync(f => Equals(f[1].Value, new NodeId(0, 2787u)));
        var current = await NextAsync(_ => true);
        var end = await NextAsync(_ => true);
        Assert.Equal((new Variant(alarm), new Variant(true), new Variant(false)), (current[7], current[3], current[4]));
        Assert.Equal(new Variant(new NodeId(0, 2788u)), end[1]);

        await client.ConfirmAsync(alarm, (byte[])current[0].Value!, new LocalizedText("en", "saw runs again"), Ct);
        var confirmed = await NextAsync(f => Equals(f[4].Value, true));
        Assert.Equal("saw runs again", Assert.IsType<LocalizedText>(confirmed[5].Value).Text);
    }
}
