using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Models;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using MQTTnet.Protocol;
using MQTTnet.Server;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The single-node MQTT 5 broker (MQTTnet) inside the cloud host. Only registered edges connect (user name
/// <c>{site}/{edge}</c>, password checked against the registry's hash); an edge publishes only its own telemetry
/// and status and subscribes only to its own commands. Telemetry is committed inside the publish
/// interceptor, so the PUBACK an edge receives means "durable in the cloud" (MQTT 5 §3.4: the reason code
/// of the PUBACK carries our verdict).
/// </summary>
internal sealed partial class EmbeddedBroker(
    IOptions<BrokerOptions> options,
    TelemetryIngestion ingestion,
    EdgeCommands commands,
    IGrainFactory grains,
    ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>The sender of the cloud's own messages (acknowledgements, configurations) injected into the broker.</summary>
    private const string CloudSender = "domio-cloud";

    private MqttServer? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.Address);
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.IsLoopback(address) ? IPAddress.IPv6Loopback : IPAddress.IPv6Any)
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(10_000);
        if (o.TlsPort is { } tlsPort)
        {
            serverOptions = serverOptions
                .WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(address)
                .WithEncryptedEndpointBoundIPV6Address(IPAddress.IsLoopback(address) ? IPAddress.IPv6Loopback : IPAddress.IPv6Any)
                .WithEncryptedEndpointPort(tlsPort)
                .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithEncryptionCertificate(LoadCertificate(o));
        }

        server = new MqttServerFactory().CreateMqttServer(serverOptions.Build());
        server.ValidatingConnectionAsync += AuthenticateAsync;
        server.InterceptingSubscriptionAsync += e =>
        {
            if (!EdgeTopics.TryParse(e.TopicFilter.Topic, out var site, out var edge, out var kind)
                || e.UserName != EdgeGrain.Key(site, edge) || !kind.StartsWith(EdgeTopics.CommandKind, StringComparison.Ordinal))
            {
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                e.ProcessSubscription = false;
            }

            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += async e =>
        {
            if (e.ClientId == CloudSender)
            {
                return;
            }

            e.Response.ReasonCode = await ingestion.AcceptAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, e.UserName, e.CancellationToken);
            e.ProcessPublish = e.Response.ReasonCode == MqttPubAckReasonCode.Success;
        };
        await server.StartAsync();
        var started = server;
        commands.Attach((message, cancellationToken) => started.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(message) { SenderClientId = CloudSender, SenderUserName = CloudSender }, cancellationToken));
        LogStarted(o.Address, o.Port, o.TlsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        commands.Attach(null);
        if (server is { IsStarted: true })
        {
            await server.StopAsync(new MqttServerStopOptions());
        }
    }

    public ValueTask DisposeAsync()
    {
        server?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AuthenticateAsync(ValidatingConnectionEventArgs e)
    {
        var slash = e.UserName?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        var registration = slash > 0
            ? await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Find(e.UserName![..slash], e.UserName[(slash + 1)..])
            : null;
        if (registration is null || registration.Disabled || !EdgeCredentials.Verify(e.Password, registration.PasswordHash))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            LogRefused(e.UserName ?? "(none)", e.RemoteEndPoint?.ToString() ?? "?", registration is null ? "unknown edge" : registration.Disabled ? "edge disabled" : "wrong password");
        }
    }

    /// <summary>The server certificate from a PEM pair or a PKCS#12 file, with its private key.</summary>
    private static X509Certificate2 LoadCertificate(BrokerOptions o) =>
        o.CertificateKeyPath is { } key
            ? X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(o.CertificatePath!, key).Export(X509ContentType.Pkcs12), null)
            : X509CertificateLoader.LoadPkcs12FromFile(o.CertificatePath!, o.CertificatePassword);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on {Address}:{Port}, TLS port {TlsPort} (none when empty)")]
    private partial void LogStarted(string address, int port, int? tlsPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused MQTT connection of '{User}' from {Remote}: {Reason}")]
    private partial void LogRefused(string user, string remote, string reason);
}
