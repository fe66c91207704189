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
/// <c>{site}/{edge}</c>, password checked against the registry's hash, and the client id equal to the user name, so no
/// connection can take over another edge's session); an edge publishes only its own telemetry and status and subscribes
/// only to its own commands. Only the cloud itself publishes commands: its messages are injected with a session item no
/// client can hold, whatever client id or user name they claim. Telemetry is committed inside the publish interceptor,
/// so the PUBACK an edge receives means "durable in the cloud" (MQTT 5 §3.4: the reason code of the PUBACK carries our
/// verdict). Limits before authentication (connections, handshake time, packet size) are <see cref="BrokerListener"/>'s.
/// </summary>
internal sealed partial class EmbeddedBroker(
    IOptions<BrokerOptions> options,
    TelemetryIngestion ingestion,
    EdgeCommands commands,
    IGrainFactory grains,
    ILogger<EmbeddedBroker> logger,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>The sender named on the cloud's own messages (acknowledgements, configurations), for logs only: proves nothing.</summary>
    private const string CloudSender = "domio-cloud";

    /// <summary>
    /// The mark of the cloud's own injected messages: a session item whose key is this private object. A client's session
    /// items are filled only by this process, so no client can present it.
    /// </summary>
    private static readonly object CloudOrigin = new();

    private MqttServer? _server;
    private BrokerListener? _listener;

    /// <summary>Connections open now, authenticated or not.</summary>
    internal int Connections => _listener?.Connections ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var broker = options.Value;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithDefaultCommunicationTimeout(broker.ConnectTimeout)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(broker.MaxQueuedMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
        _listener = new BrokerListener(broker, broker.TlsPort is null ? null : LoadCertificate(broker), loggers.CreateLogger<BrokerListener>());
        _server = new MqttServerFactory().CreateMqttServer(serverOptions.Build(), [_listener]);
        _server.ValidatingConnectionAsync += AuthenticateAsync;
        _server.InterceptingSubscriptionAsync += e =>
        {
            if (!EdgeTopics.TryParse(e.TopicFilter.Topic, out var site, out var edge, out var kind)
                || e.UserName != EdgeGrain.Key(site, edge) || !kind.StartsWith(EdgeTopics.CommandKind, StringComparison.Ordinal))
            {
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                e.ProcessSubscription = false;
            }

            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += async e =>
        {
            if (e.SessionItems?.Contains(CloudOrigin) == true)
            {
                return;
            }

            e.Response.ReasonCode = await ingestion.AcceptAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, e.UserName, e.CancellationToken);
            e.ProcessPublish = e.Response.ReasonCode == MqttPubAckReasonCode.Success;
        };
        await _server.StartAsync();
        var started = _server;
        commands.Attach(
            (message, cancellationToken) => started.InjectApplicationMessage(
                new InjectedMqttApplicationMessage(message)
                {
                    SenderClientId = CloudSender,
                    SenderUserName = CloudSender,
                    CustomSessionItems = new System.Collections.Hashtable { [CloudOrigin] = CloudOrigin },
                },
                cancellationToken),
            EndSessionAsync);
        LogStarted(broker.Address, broker.TlsPort ?? broker.Port, broker.TlsPort is null ? "in clear" : "TLS only");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        commands.Attach(null, null);
        if (_server is { IsStarted: true })
        {
            await _server.StopAsync(new MqttServerStopOptions());
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose(); // and its adapter, the listener
        return ValueTask.CompletedTask;
    }

    private async Task AuthenticateAsync(ValidatingConnectionEventArgs e)
    {
        var user = e.UserName ?? "(none)";
        var slash = e.UserName?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        var registration = slash > 0
            ? await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Find(e.UserName![..slash], e.UserName[(slash + 1)..])
            : null;
        if (registration is null || registration.Disabled || !EdgeCredentials.Verify(e.Password, registration.PasswordHash))
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            LogRefused(user, e.ClientId, e.RemoteEndPoint?.ToString() ?? "?", registration is null ? "unknown edge" : registration.Disabled ? "edge disabled" : "wrong password");
        }
        else if (e.ClientId != registration.UserName)
        {
            // The session (and its queued commands) belongs to the client id: bound to the identity, no edge reaches another's.
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            LogRefused(user, e.ClientId, e.RemoteEndPoint?.ToString() ?? "?", $"the client id must be the user name '{registration.UserName}'");
        }
    }

    /// <summary>Ends the live connection of an edge whose credential was rotated or disabled; it must connect again with the new one.</summary>
    private async Task EndSessionAsync(string site, string edge)
    {
        var clientId = EdgeGrain.Key(site, edge);
        if (_server is { IsStarted: true } && (await _server.GetClientsAsync()).Any(c => c.Id == clientId))
        {
            await _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "credential rotated or disabled" });
            LogSessionEnded(clientId);
        }
    }

    /// <summary>The server certificate from a PEM pair or a PKCS#12 file, with its private key.</summary>
    private static X509Certificate2 LoadCertificate(BrokerOptions o) =>
        o.CertificateKeyPath is { } key
            ? X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(o.CertificatePath!, key).Export(X509ContentType.Pkcs12), null)
            : X509CertificateLoader.LoadPkcs12FromFile(o.CertificatePath!, o.CertificatePassword);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on {Address}:{Port}, {Transport}")]
    private partial void LogStarted(string address, int port, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused MQTT connection of '{User}' (client id '{ClientId}') from {Remote}: {Reason}")]
    private partial void LogRefused(string user, string clientId, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ended the MQTT session of {ClientId}: its credential was rotated or disabled")]
    private partial void LogSessionEnded(string clientId);
}
