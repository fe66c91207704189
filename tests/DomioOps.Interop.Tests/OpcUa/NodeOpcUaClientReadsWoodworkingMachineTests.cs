using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our server with the published woodworking model (OPC 40550-1) loaded and one machine instantiated, read by the node-opcua
// client (Peers/node-opcua/woodworking-client.js) through TranslateBrowsePath, Browse and Read.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaClientReadsWoodworkingMachineTests : IAsyncLifetime
{
    private const string MachineUri = "urn:domioops:machines";
    private OpcUaServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var space = _server.AddressSpace;
        CompanionSpecifications.LoadWoodworking(space);
        var ns = space.RegisterNamespace(MachineUri);
        var machine = CompanionSpecifications.AddWoodworkingMachine(space, new NodeId(ns, "Router1"), "Router1", path => path is "State/Machine/Flags" or "State/Machine/Flags/Emergency");
        var now = DateTime.UtcNow;
        space.VariableAt(machine.NodeId, "State/Machine/Overview/CurrentState").SetValue(new Variant(3), now);
        space.VariableAt(machine.NodeId, "State/Machine/Overview/CurrentMode").SetValue(new Variant(2), now);
        space.VariableAt(machine.NodeId, "Identification/Manufacturer").SetValue(new Variant(new LocalizedText("en", "Domio Machines")), now);
        space.VariableAt(machine.NodeId, "State/Machine/Flags/Emergency").SetValue(new Variant(true), now);
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NodeOpcUaClient_TranslateBrowseRead_SeesWoodworkingMachine()
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        var output = await PeerProcess.RunAsync("node", ["woodworking-client.js", _server.EndpointUrl, MachineUri, "Router1"], NodeOpcUaPeer.Folder, TimeSpan.FromMinutes(2), Ct);
        var result = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;

        var machine = result.GetProperty("machine").GetString()!;
        Assert.EndsWith(";s=Router1", machine, StringComparison.Ordinal);
        Assert.Equal(machine.Replace(";s=Router1", ";s=Router1/State/Machine/Overview/CurrentState", StringComparison.Ordinal), result.GetProperty("stateNodeId").GetString());
        string[] children = [.. result.GetProperty("children").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Contains(children, c => c.EndsWith(":Identification", StringComparison.Ordinal));
        Assert.Contains(children, c => c.EndsWith(":State", StringComparison.Ordinal));
        Assert.Equal(3, result.GetProperty("currentState").GetInt32());
        Assert.Equal(2, result.GetProperty("currentMode").GetInt32());
        Assert.Equal("Domio Machines", result.GetProperty("manufacturer").GetString());
        Assert.True(result.GetProperty("emergency").GetBoolean());
        Assert.EndsWith(":WwUnitStateEnumeration", result.GetProperty("stateDataType").GetString(), StringComparison.Ordinal);
        Assert.Equal(["0=OFFLINE", "1=STANDBY", "2=READY", "3=WORKING", "4=ERROR"], result.GetProperty("stateNames").EnumerateArray().Select(e => e.GetString()!));
    }
}
