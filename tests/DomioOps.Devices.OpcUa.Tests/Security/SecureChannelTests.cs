using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.OpcUa.Tests.Security;

/// <summary>Basic256Sha256 and Aes128_Sha256_RsaOaep, Sign and SignAndEncrypt, between our client and our server, with explicit trust.</summary>
public sealed class SecureChannelTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "domioops-opcua-pki-" + Guid.NewGuid().ToString("N"));
    private OpcUaServer _server = null!;
    private CertificateStore _serverStore = null!;
    private CertificateStore _clientStore = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _serverStore = new CertificateStore(Path.Combine(_root, "server"));
        _clientStore = new CertificateStore(Path.Combine(_root, "client"));
        _server = new OpcUaServer(new OpcUaServerOptions
        {
            Port = 0,
            Certificates = _serverStore,
            Users = new Dictionary<string, string> { ["operator"] = "s3cret" },
            Endpoints =
            [
                (SecurityPolicy.NoneUri, MessageSecurityMode.None),
                (SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.Sign),
                (SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt),
                (SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.Sign),
                (SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.SignAndEncrypt),
            ],
        });
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Big"), new QualifiedName(2, "Big"), new Variant(Enumerable.Range(0, 30_000).Select(i => (double)i).ToArray()), DateTime.UtcNow, writable: true);
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private OpcUaClient NewClient(string policy, MessageSecurityMode mode, string? user = null, TimeProvider? time = null) =>
        new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, SecurityPolicyUri = policy, SecurityMode = mode, Certificates = _clientStore, UserName = user, Password = user is null ? null : "s3cret", AutoReconnect = false }, time);

    private void TrustEachOther()
    {
        var client = _clientStore.LoadOrCreateApplicationCertificate("urn:domioops:opcua:client", "DomioOps OPC UA Client");
        _serverStore.Trust(client);
        _clientStore.Trust(_server.Certificate!);
    }

    [Theory]
    [InlineData(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt)]
    [InlineData(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.Sign)]
    [InlineData(SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.SignAndEncrypt)]
    [InlineData(SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.Sign)]
    public async Task Client_TrustedBothWays_ReadsWritesMultiChunkMessagesAndEncryptedPassword(string policy, MessageSecurityMode mode)
    {
        TrustEachOther();
        await using var client = NewClient(policy, mode, user: "operator");
        await client.ConnectAsync(Ct);
        var big = (double[])(await client.ReadValueAsync(new NodeId(2, "Big"), Ct)).Value.Value!;
        Assert.Equal(30_000, big.Length);
        Assert.Equal(29_999.0, big[^1]);
        Assert.Equal(StatusCode.Good, await client.WriteValueAsync(new NodeId(2, "Big"), new Variant(new double[] { 1, 2 }), Ct));
        Assert.Equal(new double[] { 1, 2 }, (double[])(await client.ReadValueAsync(new NodeId(2, "Big"), Ct)).Value.Value!);
    }

    [Fact]
    public async Task Client_UnknownToServer_RefusedAndCertificateLandsInRejected()
    {
        _clientStore.Trust(_serverStore.LoadOrCreateApplicationCertificate("urn:domioops:opcua:server", "DomioOps OPC UA Server"));
        await using var client = NewClient(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => client.ConnectAsync(Ct));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, ex.StatusCode);
        Assert.Single(Directory.GetFiles(_serverStore.RejectedFolder));
    }

    [Fact]
    public async Task Client_ServerCertificateNotTrusted_RefusesAndPutsItInRejected()
    {
        await using var client = NewClient(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => client.ConnectAsync(Ct));
        Assert.Equal(StatusCode.BadCertificateUntrusted, ex.StatusCode);
        var rejected = Assert.Single(Directory.GetFiles(_clientStore.RejectedFolder));
        Assert.Equal(_server.Certificate!.RawData, File.ReadAllBytes(rejected));
    }

    [Fact]
    public async Task Client_SecuredChannel_RenewsTokenWithNewKeys()
    {
        TrustEachOther();
        FakeTimeProvider time = new(DateTimeOffset.UtcNow);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, SecurityPolicyUri = SecurityPolicy.Basic256Sha256Uri, SecurityMode = MessageSecurityMode.SignAndEncrypt, Certificates = _clientStore, SecureChannelLifetime = 10_000 }, time);
        await client.ConnectAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(8));
        await Eventually.TrueAsync(() => client.TokenRenewals > 0, "the token renewal at 75 % of its lifetime", Ct);

        Assert.Equal(StatusCode.Good, (await client.ReadValueAsync(WellKnownNodes.NamespaceArray, Ct)).StatusCode);
    }

    [Fact]
    public async Task Subscription_OverSignAndEncrypt_DeliversChanges()
    {
        TrustEachOther();
        var counter = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Counter"), new QualifiedName(2, "Counter"), new Variant(0), DateTime.UtcNow);
        await using var client = NewClient(SecurityPolicy.Aes128Sha256RsaOaepUri, MessageSecurityMode.SignAndEncrypt);
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Counter"), 10, 10)], Ct);
        Assert.Equal(0, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
        counter.SetValue(new Variant(5), DateTime.UtcNow);
        Assert.Equal(5, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
    }

    [Fact]
    public async Task Subscription_OneSecondTokenLifetime_RenewsRepeatedlyWithoutLosingValues()
    {
        TrustEachOther();
        var counter = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Counter"), new QualifiedName(2, "Counter"), new Variant(0), DateTime.UtcNow);
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = _server.EndpointUrl,
            SecurityPolicyUri = SecurityPolicy.Basic256Sha256Uri,
            SecurityMode = MessageSecurityMode.SignAndEncrypt,
            Certificates = _clientStore,
            SecureChannelLifetime = 1_000,
            AutoReconnect = false,
        });
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Counter"), 10, 1000)], Ct);

        // Renewal at 75 % of the lifetime: three renewals while values keep flowing, each with new keys. Each value is
        // written once the previous one has arrived: a sampler running late on a loaded machine may legitimately skip a
        // value written between two samples, but nothing may be lost across a renewal.
        var written = 0;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        List<int> seen = [(int)(await subscription.Values.ReadAsync(bound.Token)).Value.Value.Value!];
        while (client.TokenRenewals < 3)
        {
            counter.SetValue(new Variant(++written), DateTime.UtcNow);
            int value;
            do
            {
                value = (int)(await subscription.Values.ReadAsync(bound.Token)).Value.Value.Value!;
                seen.Add(value);
            }
            while (value != written);
        }

        Assert.Equal(Enumerable.Range(0, written + 1), seen);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(0, client.Reconnects);
    }

    [Fact]
    public async Task Client_CertificateIssuedByCaTheServerTrusts_ConnectsUntilTheCaRevokesIt()
    {
        using var ca = TestCertificateAuthority.CreateRoot("Plant Root CA");
        using var issued = ca.IssueApplication("DomioOps OPC UA Client", "urn:domioops:opcua:client");
        CertificateStore clientStore = new(Path.Combine(_root, "ca-client"));
        Directory.CreateDirectory(clientStore.OwnFolder);
        File.WriteAllBytes(Path.Combine(clientStore.OwnFolder, "certificate.der"), issued.RawData);
        File.WriteAllText(Path.Combine(clientStore.OwnFolder, "private.pem"), issued.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        clientStore.Trust(_server.Certificate!);
        _serverStore.Trust(ca.Certificate);
        OpcUaClientOptions options = new() { EndpointUrl = _server.EndpointUrl, SecurityPolicyUri = SecurityPolicy.Basic256Sha256Uri, SecurityMode = MessageSecurityMode.SignAndEncrypt, Certificates = clientStore, AutoReconnect = false };

        await using (OpcUaClient client = new(options))
        {
            await client.ConnectAsync(Ct);
            Assert.Equal(StatusCode.Good, (await client.ReadValueAsync(WellKnownNodes.NamespaceArray, Ct)).StatusCode);
        }

        Directory.CreateDirectory(_serverStore.TrustedCrlFolder);
        File.WriteAllBytes(Path.Combine(_serverStore.TrustedCrlFolder, "plant.crl"), ca.RevocationList(issued));
        await using OpcUaClient revoked = new(options);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => revoked.ConnectAsync(Ct));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, ex.StatusCode);
        Assert.Equal(issued.RawData, File.ReadAllBytes(Assert.Single(Directory.GetFiles(_serverStore.RejectedFolder))));
    }

    [Theory]
    [InlineData(MessageSecurityMode.SignAndEncrypt, 20)]
    [InlineData(MessageSecurityMode.SignAndEncrypt, -1)]
    [InlineData(MessageSecurityMode.Sign, 30)]
    [InlineData(MessageSecurityMode.Sign, -1)]
    public async Task Server_TamperedMessageChunk_SendsSecurityChecksFailedAndCloses(MessageSecurityMode mode, int offsetFromStart)
    {
        TrustEachOther();
        // Chunk 3 of the secured connection is the first MSG after HEL and OPN; flip a byte of the body or of the signature.
        await using TamperingProxy proxy = new(_server.Port, 3, chunk => offsetFromStart >= 0 ? offsetFromStart : chunk.Length - 1);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}", SecurityPolicyUri = SecurityPolicy.Basic256Sha256Uri, SecurityMode = mode, Certificates = _clientStore, AutoReconnect = false });
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => client.ConnectAsync(Ct));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, ex.StatusCode);
        Assert.Equal(1, proxy.Tampered);

        // The server survives and serves an honest client.
        await using var honest = NewClient(SecurityPolicy.Basic256Sha256Uri, mode);
        await honest.ConnectAsync(Ct);
        Assert.Equal(ConnectionState.Connected, honest.State);
    }

    [Fact]
    public void PSha256_Rfc5246StyleVector_MatchesPublishedOutput()
    {
        // The TLS 1.2 PRF SHA-256 test vector (secret, label "test label" + seed) published with the IETF TLS WG test vectors.
        var secret = Convert.FromHexString("9bbe436ba940f017b17652849a71db35");
        byte[] seed = [.. "test label"u8, .. Convert.FromHexString("a0ba9f936cda311827a6f796ffd5198c")];
        var output = SecurityPolicy.PSha256(secret, seed, 100);
        Assert.Equal("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66", Convert.ToHexStringLower(output));
    }
}
