using System.Globalization;
using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our OPC UA server offering Basic256Sha256 / Aes128_Sha256_RsaOaep against the node-opcua client (Peers/node-opcua/client.js).
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaSecureClientAgainstOurServerTests : IAsyncLifetime
{
    private const int Tags = 100;
    private readonly string _pki = Path.Combine(Path.GetTempPath(), "domioops-opcua-server-pki-" + Guid.NewGuid().ToString("N"));
    private OpcUaServer _server = null!;
    private CertificateStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new CertificateStore(_pki);
        _server = new OpcUaServer(new OpcUaServerOptions
        {
            Port = 0,
            Certificates = _store,
            Users = new Dictionary<string, string> { ["operator"] = "s3cret" },
            Endpoints =
            [
                (SecurityPolicy.NoneUri, MessageSecurityMode.None),
                (SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt),
                (SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.Sign),
            ],
        });
        var space = _server.AddressSpace;
        var ns = space.RegisterNamespace("urn:domioops:test");
        var now = DateTime.UtcNow;
        space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Machines"), new QualifiedName(ns, "Machines"));
        space.AddObject(new NodeId(ns, "Machines"), new NodeId(ns, "Saw1"), new QualifiedName(ns, "Saw1"));
        space.AddVariable(new NodeId(ns, "Saw1"), new NodeId(ns, "Saw1.Speed"), new QualifiedName(ns, "Speed"), new Variant(1.5), now, writable: true);
        space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Tags"), new QualifiedName(ns, "Tags"));
        for (var i = 0; i < Tags; i++)
        {
            space.AddVariable(new NodeId(ns, "Tags"), new NodeId(ns, $"Tag{i}"), new QualifiedName(ns, $"Tag{i}"), new Variant(0), now, writable: true);
        }

        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
    }

    [Theory]
    [InlineData("Basic256Sha256", "SignAndEncrypt")]
    [InlineData("Aes128_Sha256_RsaOaep", "Sign")]
    public async Task NodeOpcUaSecureClient_UntrustedThenTrusted_RefusedThenEverythingArrives(string policy, string mode)
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        string[] arguments = ["client.js", _server.EndpointUrl, "operator", "s3cret", Tags.ToString(CultureInfo.InvariantCulture), policy, mode];

        // Our server does not auto-accept: the node-opcua client certificate is refused and parked in rejected/.
        await using (var refused = PeerProcess.Start("node", arguments, NodeOpcUaPeer.Folder))
        {
            Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromMinutes(1), Ct));
        }

        var rejected = Assert.Single(Directory.GetFiles(_store.RejectedFolder));
        File.Move(rejected, Path.Combine(_store.TrustedFolder, Path.GetFileName(rejected)));

        var output = await PeerProcess.RunAsync("node", arguments, NodeOpcUaPeer.Folder, TimeSpan.FromMinutes(2), Ct);
        var result = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..]).RootElement;
        Assert.Equal("ns=2;s=Saw1.Speed", Assert.Single(result.GetProperty("translated").EnumerateArray()).GetString());
        Assert.Equal(42.5, result.GetProperty("speedAfter").GetDouble());
        Assert.Equal(Tags, result.GetProperty("itemsCreated").GetInt32());
        Assert.Equal(Tags * 4, result.GetProperty("received").GetInt32());
        Assert.Equal(0, result.GetProperty("wrong").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
    }
}
