using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Events raised by our server (OpcUaServer.RaiseEvent) received by the node-opcua client (Peers/node-opcua/events-client.js)
// through an event monitored item with select clauses and an OfType where clause.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaClientReceivesOurEventsTests : IAsyncLifetime
{
    private static readonly NodeId AlarmConditionType = new(0, 2915u);
    private OpcUaServer _server = null!;
    private ObjectNode _router = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var ns = _server.AddressSpace.RegisterNamespace("urn:domioops:test");
        _router = _server.AddressSpace.AddObject(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Router1"), new QualifiedName(ns, "Router1"));
        _router.EventNotifier = 1;
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NodeOpcUaClient_EventItemOnServerObjectWithOfType_ReceivesOurAlarms()
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        await using var client = PeerProcess.Start("node", ["events-client.js", _server.EndpointUrl, "i=2253", "2", "i=2915"], NodeOpcUaPeer.Folder);
        await client.WaitForOutputAsync("subscribed", TimeSpan.FromSeconds(60), Ct);
        DateTime time = new(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc);

        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("not an alarm")));
        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("en", "Spindle overload"), 800)
        {
            EventType = AlarmConditionType,
            Time = time,
            Fields = new Dictionary<string, Variant> { ["ConditionName"] = new Variant("SpindleOverload") },
        });
        _server.RaiseEvent(new BaseEvent(_router.NodeId, "Router1", new LocalizedText("Door open"), 300) { EventType = AlarmConditionType, Time = time });

        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct));
        var result = JsonDocument.Parse(client.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;
        JsonElement[] events = [.. result.GetProperty("events").EnumerateArray()];
        Assert.Equal(2, events.Length);
        Assert.Equal(16, events[0].GetProperty("eventIdLength").GetInt32());
        Assert.Equal("ns=0;i=2915", events[0].GetProperty("eventType").GetString());
        Assert.Equal("Router1", events[0].GetProperty("sourceName").GetString());
        Assert.Equal("Spindle overload", events[0].GetProperty("message").GetString());
        Assert.Equal(800, events[0].GetProperty("severity").GetInt32());
        Assert.Equal("2026-11-25T14:00:00.000Z", events[0].GetProperty("time").GetString());
        Assert.Equal("SpindleOverload", events[0].GetProperty("conditionName").GetString());
        Assert.Equal("Door open", events[1].GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, events[1].GetProperty("conditionName").ValueKind);
    }

    [Fact]
    public async Task NodeOpcUaClient_AcknowledgesOurAlarm_AckedStateEventAndConditionRefresh()
    {
        var alarm = _server.AddCondition(_router.NodeId, new NodeId(_router.NodeId.NamespaceIndex, "Router1/ToolBreakage"), "ToolBreakage", ConditionMethods.AlarmConditionType, "Router1");
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        await using var client = PeerProcess.Start("node", ["conditions-client.js", _server.EndpointUrl, _router.NodeId.ToString()], NodeOpcUaPeer.Folder);
        await client.WaitForOutputAsync("subscribed", TimeSpan.FromSeconds(60), Ct);

        alarm.SetActive(true, new LocalizedText("en", "Tool breakage"), 900);

        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct));
        var result = JsonDocument.Parse(client.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;
        var raised = result.GetProperty("raised");
        var acked = result.GetProperty("acked");
        Assert.Equal(alarm.ConditionId.ToString(), raised.GetProperty("conditionId").GetString());
        Assert.Equal("ToolBreakage", raised.GetProperty("conditionName").GetString());
        Assert.Equal("Good", result.GetProperty("ackStatus").GetString());
        Assert.Equal(alarm.ConditionId.ToString(), acked.GetProperty("conditionId").GetString());
        Assert.True(acked.GetProperty("active").GetBoolean());
        Assert.Equal("acknowledged by node-opcua", acked.GetProperty("comment").GetString());
        Assert.NotEqual(raised.GetProperty("eventId").GetString(), acked.GetProperty("eventId").GetString());
        Assert.Equal(Convert.ToHexStringLower(alarm.LastEventId!), acked.GetProperty("eventId").GetString());
        Assert.Equal("BadConditionBranchAlreadyAcked", result.GetProperty("againStatus").GetString());
        Assert.True(alarm.Acked);
        Assert.Equal("acknowledged by node-opcua", alarm.Comment.Text);

        // ConditionRefresh: start, the retained (still active) alarm, end.
        Assert.Equal("Good", result.GetProperty("refreshStatus").GetString());
        JsonElement[] refreshed = [.. result.GetProperty("refreshed").EnumerateArray()];
        Assert.Equal(["ns=0;i=2787", "ns=0;i=2915", "ns=0;i=2788"], refreshed.Select(e => e.GetProperty("eventType").GetString()));
        Assert.Equal(alarm.ConditionId.ToString(), refreshed[1].GetProperty("conditionId").GetString());
        Assert.True(refreshed[1].GetProperty("acked").GetBoolean());
    }
}
