using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our OPC UA client over Basic256Sha256 / Aes128_Sha256_RsaOaep against the node-opcua server (Peers/node-opcua/server.js).
[Collection(NodeOpcUaPeer.Collection)]
public sealed class OurSecureClientAgainstNodeOpcUaServerTests : IDisposable
{
    private readonly string _pki = Path.Combine(Path.GetTempPath(), "domioops-opcua-interop-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_pki, recursive: true);

    [Theory]
    [InlineData(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt)]
    [InlineData(SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.Sign)]
    public async Task SecureClient_UntrustedThenTrustedServer_RefusesThenBrowsesReadsWritesSubscribes(string policy, MessageSecurityMode mode)
    {
        var port = FreePort.Next();
        await using var server = await NodeOpcUaPeer.StartServerAsync(port, 10, Ct);
        CertificateStore store = new(_pki);
        OpcUaClientOptions options = new() { EndpointUrl = $"opc.tcp://127.0.0.1:{port}", SecurityPolicyUri = policy, SecurityMode = mode, Certificates = store, UserName = "operator", Password = "s3cret", SecureChannelLifetime = 2_000 };

        // No silent auto-accept: the unknown node-opcua certificate is refused and parked in rejected/.
        await using (OpcUaClient refused = new(options))
        {
            var ex = await Assert.ThrowsAsync<OpcUaException>(() => refused.ConnectAsync(Ct));
            Assert.Equal(StatusCode.BadCertificateUntrusted, ex.StatusCode);
        }

        // The operator trusts it by moving it to trusted/.
        var rejected = Assert.Single(Directory.GetFiles(store.RejectedFolder));
        File.Move(rejected, Path.Combine(store.TrustedFolder, Path.GetFileName(rejected)));

        await using OpcUaClient client = new(options);
        await client.ConnectAsync(Ct);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        var objects = await client.BrowseAllAsync(WellKnownNodes.ObjectsFolder, Ct);
        Assert.Contains(objects, r => r.BrowseName == new QualifiedName(ns, "Saw1"));
        Assert.Equal(StatusCode.Good, await client.WriteValueAsync(new NodeId(ns, "Saw1.Speed"), new Variant(33.0), Ct));
        Assert.Equal(33.0, (await client.ReadValueAsync(new NodeId(ns, "Saw1.Speed"), Ct)).Value.Value);

        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 100), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(ns, "Tag3"), 100, 10)], Ct);
        Assert.Equal(0, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
        await client.WriteValueAsync(new NodeId(ns, "Tag3"), new Variant(77), Ct);
        Assert.Equal(77, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);

        // A short token lifetime: the channel renews with node-opcua before expiry, twice, and keeps working.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        for (var value = 78; client.TokenRenewals < 2; value++)
        {
            await client.WriteValueAsync(new NodeId(ns, "Tag3"), new Variant(value), bound.Token);
            Assert.Equal(value, (await subscription.Values.ReadAsync(bound.Token)).Value.Value.Value);
            await Task.Delay(100, bound.Token);
        }

        Assert.Equal(0, client.Reconnects);
    }
}
