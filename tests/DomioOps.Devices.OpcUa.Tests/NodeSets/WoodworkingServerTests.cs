using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.NodeSets;

/// <summary>Our client finds and reads a woodworking machine in our server by browse paths, as the edge's auto-mapping does.</summary>
public sealed class WoodworkingServerTests : IAsyncLifetime
{
    private OpcUaServer _server = null!;
    private NodeId _machine = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var space = _server.AddressSpace;
        CompanionSpecifications.LoadWoodworking(space);
        var ns = space.RegisterNamespace("urn:domioops:machines");
        _machine = CompanionSpecifications.AddWoodworkingMachine(space, new NodeId(ns, "Router1"), "Router1", path => path.StartsWith("State/Machine/Values", StringComparison.Ordinal) && path.Count(c => c == '/') <= 3).NodeId;
        space.VariableAt(_machine, "State/Machine/Overview/CurrentState").SetValue(new Variant(3), DateTime.UtcNow);
        space.VariableAt(_machine, "State/Machine/Values/AbsolutePiecesOut").SetValue(new Variant(1234UL), DateTime.UtcNow);
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TranslateBrowsePaths_WoodworkingMachine_ResolvesAndReads()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);
        var machinery = (ushort)client.NamespaceIndexOf(CompanionSpecifications.MachineryUri);
        var ww = (ushort)client.NamespaceIndexOf(CompanionSpecifications.WoodworkingUri);
        var own = (ushort)client.NamespaceIndexOf("urn:domioops:machines");
        static RelativePathElement Step(ushort ns, string name) => new(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(ns, name));
        RelativePathElement[] machine = [Step(machinery, "Machines"), Step(own, "Router1")];

        var results = await client.TranslateBrowsePathsAsync(
            [
                new BrowsePath(WellKnownNodes.ObjectsFolder, [.. machine, Step(ww, "State"), Step(ww, "Machine"), Step(ww, "Overview"), Step(ww, "CurrentState")]),
                new BrowsePath(WellKnownNodes.ObjectsFolder, [.. machine, Step(ww, "State"), Step(ww, "Machine"), Step(ww, "Values"), Step(ww, "AbsolutePiecesOut")]),
                new BrowsePath(WellKnownNodes.ObjectsFolder, [.. machine, Step(ww, "State"), Step(ww, "Machine"), Step(ww, "Flags")]),
            ],
            Ct);

        Assert.Equal(StatusCode.Good, results[0].StatusCode);
        Assert.Equal(StatusCode.Good, results[1].StatusCode);
        Assert.Equal(StatusCode.BadNoMatch, results[2].StatusCode);
        var state = Assert.Single(results[0].Targets).TargetId.NodeId;
        Assert.Equal(new NodeId(own, "Router1/State/Machine/Overview/CurrentState"), state);
        Assert.Equal(new Variant(3), (await client.ReadValueAsync(state, Ct)).Value);
        Assert.Equal(new Variant(1234UL), (await client.ReadValueAsync(results[1].Targets[0].TargetId.NodeId, Ct)).Value);
    }
}
