using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// A method of our server (AddressSpace.AddMethod) called by the node-opcua client (Peers/node-opcua/call-client.js):
// argument definitions, outputs, and the Call service's argument errors.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaClientCallsOurMethodsTests : IAsyncLifetime
{
    private OpcUaServer _server = null!;
    private NodeId _router = null!;
    private NodeId _startJob = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var space = _server.AddressSpace;
        var ns = space.RegisterNamespace("urn:domioops:test");
        _router = new NodeId(ns, "Router1");
        _startJob = new NodeId(ns, "Router1/StartJob");
        space.AddObject(WellKnownNodes.ObjectsFolder, _router, new QualifiedName(ns, "Router1"));
        space.AddMethod(
            _router,
            _startJob,
            new QualifiedName(ns, "StartJob"),
            [new Argument("Program", new NodeId(0, 12u)), new Argument("Quantity", new NodeId(0, 7u))],
            [new Argument("JobId", new NodeId(0, 12u)), new Argument("Accepted", new NodeId(0, 1u))],
            (call, _) => ValueTask.FromResult<IReadOnlyList<Variant>>([new Variant($"{call.InputArguments[0].Value}#{call.InputArguments[1].Value}"), new Variant(true)]));
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NodeOpcUaClient_CallsOurMethod_OutputsAndArgumentErrors()
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        var output = await PeerProcess.RunAsync("node", ["call-client.js", _server.EndpointUrl, _router.ToString(), _startJob.ToString()], NodeOpcUaPeer.Folder, TimeSpan.FromMinutes(2), Ct);
        var result = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;

        Assert.Equal(["Program:ns=0;i=12", "Quantity:ns=0;i=7"], result.GetProperty("inputArguments").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["JobId:ns=0;i=12", "Accepted:ns=0;i=1"], result.GetProperty("outputArguments").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("Good", result.GetProperty("status").GetString());
        JsonElement[] outputs = [.. result.GetProperty("outputs").EnumerateArray()];
        Assert.Equal("door-panel.nc#12", outputs[0].GetString());
        Assert.True(outputs[1].GetBoolean());
        Assert.Equal("BadArgumentsMissing", result.GetProperty("missingStatus").GetString());
        Assert.Equal("BadInvalidArgument", result.GetProperty("wrongStatus").GetString());
        Assert.Equal(["Good", "BadTypeMismatch"], result.GetProperty("wrongArgumentResults").EnumerateArray().Select(e => e.GetString()!));
    }
}
