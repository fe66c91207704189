using System.Globalization;
using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Reverse Connect (OPC 10000-6 §7.1.3) from our server to node-opcua's client: the client listens
// (Peers/node-opcua/reverse-client.js, ClientReverseConnect + connectReverse), our server dials it with ReverseHello,
// and the client opens a session over that connection and reads a value.
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaClientReverseConnectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NodeOpcUaClient_OurServerDialsItsListener_SessionReadsTheValue()
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        var listen = FreePort.Next();
        const string ApplicationUri = "urn:domioops:test:reverse";
        await using var client = PeerProcess.Start("node", ["reverse-client.js", listen.ToString(CultureInfo.InvariantCulture), ApplicationUri, "ns=2;s=Spindle.Speed"], NodeOpcUaPeer.Folder);
        await client.WaitForOutputAsync($"listening {listen}", TimeSpan.FromSeconds(60), Ct);
        await using OpcUaServer server = new(new OpcUaServerOptions
        {
            Port = 0,
            ApplicationUri = ApplicationUri,
            ReverseConnect = [$"opc.tcp://127.0.0.1:{listen}"],
            ReverseConnectDelay = TimeSpan.FromMilliseconds(200),
        });
        var ns = server.AddressSpace.RegisterNamespace("urn:domioops:test");
        Assert.Equal(2, ns);
        server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Spindle.Speed"), new QualifiedName(ns, "Speed"), new Variant(18000.0), DateTime.UtcNow);

        await server.StartAsync(Ct);

        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct));
        var result = JsonDocument.Parse(client.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;
        Assert.Equal("Good", result.GetProperty("status").GetString());
        Assert.Equal(18000.0, result.GetProperty("value").GetDouble());
    }
}
