using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>Reverse Connect (OPC 10000-6 §7.1.3): our server dials our client's listener and says ReverseHello.</summary>
public sealed class ReverseConnectTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "domioops-opcua-reverse-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A loopback port nobody listens on once this returns.</summary>
    private static int UnusedPort()
    {
        using TcpListener probe = new(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData(SecurityPolicy.NoneUri, MessageSecurityMode.None)]
    [InlineData(SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt)]
    public async Task Client_ServerDialsIn_SessionAndSubscriptionWork(string policy, MessageSecurityMode mode)
    {
        CertificateStore serverStore = new(Path.Combine(_root, "server"));
        CertificateStore clientStore = new(Path.Combine(_root, "client"));
        var listen = UnusedPort();
        await using OpcUaServer server = new(new OpcUaServerOptions
        {
            Port = 0,
            Certificates = serverStore,
            Endpoints = [(SecurityPolicy.NoneUri, MessageSecurityMode.None), (SecurityPolicy.Basic256Sha256Uri, MessageSecurityMode.SignAndEncrypt)],
            ReverseConnect = [$"opc.tcp://127.0.0.1:{listen}"],
            ReverseConnectDelay = TimeSpan.FromMilliseconds(100),
        });
        var counter = server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Counter"), new QualifiedName(2, "Counter"), new Variant(0), DateTime.UtcNow);
        await server.StartAsync(Ct);
        var clientCertificate = clientStore.LoadOrCreateApplicationCertificate("urn:domioops:opcua:client", "DomioOps OPC UA Client");
        serverStore.Trust(clientCertificate);
        clientStore.Trust(server.Certificate!);

        // The endpoint URL names a port nobody listens on: everything must come through the server's dial-ins.
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = $"opc.tcp://127.0.0.1:{UnusedPort()}",
            ReverseConnectUrl = $"opc.tcp://127.0.0.1:{listen}",
            ReverseConnectServerUri = server.Options.ApplicationUri,
            SecurityPolicyUri = policy,
            SecurityMode = mode,
            Certificates = clientStore,
        });
        await client.ConnectAsync(Ct);
        Assert.Equal(StatusCode.Good, (await client.ReadValueAsync(WellKnownNodes.NamespaceArray, Ct)).StatusCode);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Counter"), 10, 10)], Ct);
        Assert.Equal(0, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
        counter.SetValue(new Variant(9), DateTime.UtcNow);
        Assert.Equal(9, (await subscription.Values.ReadAsync(Ct)).Value.Value.Value);
    }

    [Fact]
    public async Task Client_ReverseHelloFromAnotherServer_Ignored()
    {
        var listen = UnusedPort();
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = $"opc.tcp://127.0.0.1:{UnusedPort()}",
            ReverseConnectUrl = $"opc.tcp://127.0.0.1:{listen}",
            ReverseConnectServerUri = "urn:expected",
            AutoReconnect = false,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Listening once ConnectAsync returns its task; then the stranger dials in.
        var connect = client.ConnectAsync(stop.Token);
        RedialClock redials = new(TimeSpan.FromMilliseconds(50));
        await using OpcUaServer stranger = new(new OpcUaServerOptions { Port = 0, ApplicationUri = "urn:stranger", ReverseConnect = [$"opc.tcp://127.0.0.1:{listen}"], ReverseConnectDelay = TimeSpan.FromMilliseconds(50) }, redials);
        await stranger.StartAsync(Ct);

        // The sentinel: the stranger waits its redial delay only after a connection ended, i.e. after the client read its
        // ReverseHello and hung up. Two of them, and the client is still not connected to anything.
        await Eventually.TrueAsync(() => redials.Count >= 2, "the client to hang up on the stranger twice", Ct);
        Assert.False(connect.IsCompleted);
        Assert.Equal(0, stranger.SessionCount);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
    }

    /// <summary>The system clock, counting the delays of the given length a server waits before it dials again.</summary>
    private sealed class RedialClock(TimeSpan delay) : TimeProvider
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == delay && period == Timeout.InfiniteTimeSpan)
            {
                Interlocked.Increment(ref _count);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
