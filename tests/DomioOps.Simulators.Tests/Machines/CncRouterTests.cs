using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Testing;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>The CNC router's OPC UA woodworking face, read by our client and by node-opcua's.</summary>
public sealed class CncRouterTests(FactoryFixture factory) : IClassFixture<FactoryFixture>
{
    [Fact]
    public async Task CncRouter_OurOpcUaClient_ReadsTheWoodworkingModel()
    {
        var ct = TestContext.Current.CancellationToken;
        var cnc = await factory.Simulator.MachineAsync("cnc-01", ct);
        await using var client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = cnc.Endpoint });
        await client.ConnectAsync(ct);
        var sim = (ushort)client.NamespaceIndexOf("urn:domioops:simulators");
        Assert.True(client.NamespaceIndexOf("http://opcfoundation.org/UA/Woodworking/") > 0);

        var state = await client.ReadValueAsync(new NodeId(sim, "cnc-01/State/Machine/Overview/CurrentState"), ct);
        var machineOn = await client.ReadValueAsync(new NodeId(sim, "cnc-01/State/Machine/Flags/MachineOn"), ct);
        var speed = await client.ReadValueAsync(new NodeId(sim, "cnc-01/Spindle/Speed"), ct);
        var working = await client.ReadValueAsync(new NodeId(sim, "cnc-01/State/Machine/Values/AbsoluteWorkingTime"), ct);

        Assert.Equal(StatusCode.Good, state.StatusCode);
        Assert.InRange((int)state.Value.Value!, 0, 4);
        Assert.True((bool)machineOn.Value.Value!);
        Assert.IsType<double>(speed.Value.Value);
        Assert.IsType<ulong>(working.Value.Value);
    }

    [Fact]
    public async Task CncRouter_NodeOpcUaClient_TranslatesTheBrowsePathsAndSeesPiecesCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        var cnc = await factory.Simulator.MachineAsync("cnc-01", ct);
        await NpmPackages.EnsureInstalledAsync(MachinePeers.NodeOpcUaFolder, ct);

        var output = await PeerProcess.RunAsync("node", ["woodworking-client.js", cnc.Endpoint, "cnc-01"], MachinePeers.NodeOpcUaFolder, TimeSpan.FromSeconds(60), ct);
        var result = JsonDocument.Parse(output[(output.IndexOf("RESULT ", StringComparison.Ordinal) + 7)..].Split('\n')[0]).RootElement;

        var values = result.GetProperty("values");
        Assert.InRange(values.GetProperty("currentState").GetInt32(), 0, 4);
        Assert.InRange(values.GetProperty("currentMode").GetInt32(), 0, 5);
        Assert.True(values.GetProperty("machineOn").GetBoolean());
        var children = result.GetProperty("machineChildren").EnumerateArray().Select(c => c.GetString()!.Split(':')[1]).ToList();
        Assert.Contains("Identification", children);
        Assert.Contains("State", children);
        Assert.Contains("Spindle", children);
        var sim = result.GetProperty("namespaces").GetProperty("sim").GetInt32();
        Assert.Equal($"ns={sim};s=cnc-01/State/Machine/Overview/CurrentState", result.GetProperty("nodeIds").GetProperty("currentState").GetString());
    }

    [Fact]
    public async Task CncRouter_ForcedFailure_RaisesAnAlarmEventAndShowsErrorAndAnOperatorAcknowledgesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var cnc = await factory.Simulator.MachineAsync("cnc-01", ct);
        await using var client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = cnc.Endpoint });
        await client.ConnectAsync(ct);
        var sim = (ushort)client.NamespaceIndexOf("urn:domioops:simulators");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), ct);
        var item = Assert.Single(await subscription.AddItemsAsync([MonitoredItemRequest.ForEvents(new NodeId(sim, "cnc-01"), new EventFilter([.. new[] { "Message", "Severity", "ConditionName", "ActiveState/Id", "MessageId", "EventType", "EventId", "AckedState/Id", "Comment" }.Select(SimpleAttributeOperand.Field), SimpleAttributeOperand.ConditionId]))], ct));
        Assert.Equal(StatusCode.Good, item.Status);

        using var fail = await factory.Simulator.Http.PostAsync(new Uri("api/machines/cnc-01/fail?kind=spindle-bearing", UriKind.Relative), null, ct);
        fail.EnsureSuccessStatusCode();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        var received = await subscription.Events.ReadAsync(bound.Token);

        Assert.Equal(new Variant(new LocalizedText("en", "Spindle bearing failure: vibration and temperature over limit")), received.Fields[0]);
        Assert.Equal(new Variant((ushort)800), received.Fields[1]);
        Assert.Equal(new Variant("SpindleBearingFailure"), received.Fields[2]);
        Assert.Equal(new Variant(true), received.Fields[3]);
        Assert.Equal(new Variant("201"), received.Fields[4]);
        Assert.Equal(new Variant(new NodeId((ushort)client.NamespaceIndexOf("http://opcfoundation.org/UA/Woodworking/"), 1007u)), received.Fields[5]);
        var state = await client.ReadValueAsync(new NodeId(sim, "cnc-01/State/Machine/Overview/CurrentState"), ct);
        Assert.Equal(4, (int)state.Value.Value!);

        // The alarm is a condition (OPC 10000-9): the operator acknowledges it from the client, every subscriber sees it acknowledged.
        var conditionId = new NodeId(sim, "cnc-01/Alarms/SpindleBearingFailure");
        Assert.Equal((new Variant(false), new Variant(conditionId)), (received.Fields[7], received.Fields[9]));
        await client.AcknowledgeAsync(conditionId, (byte[])received.Fields[6].Value!, new LocalizedText("en", "bearing replaced"), ct);
        var acked = await subscription.Events.ReadAsync(bound.Token);
        Assert.Equal((new Variant(conditionId), new Variant(true), new Variant(new LocalizedText("en", "bearing replaced"))), (acked.Fields[9], acked.Fields[7], acked.Fields[8]));
    }

    [Fact]
    public async Task CncRouter_ExceptionFault_ReadFailsWithBadDeviceFailureThenRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var cnc = await factory.Simulator.MachineAsync("cnc-01", ct);
        await using var client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = cnc.Endpoint });
        await client.ConnectAsync(ct);
        var state = new NodeId((ushort)client.NamespaceIndexOf("urn:domioops:simulators"), "cnc-01/State/Machine/Overview/CurrentState");
        try
        {
            await factory.Simulator.SetFaultAsync("cnc-01", "exception", ct);
            var e = await Assert.ThrowsAnyAsync<OpcUaException>(() => client.ReadValueAsync(state, ct));
            Assert.Equal(0x808B0000u, e.StatusCode.Code);
        }
        finally
        {
            await factory.Simulator.SetFaultAsync("cnc-01", "none", ct);
        }

        Assert.Equal(StatusCode.Good, (await client.ReadValueAsync(state, ct)).StatusCode);
    }
}
