using System.Buffers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

using DomioOps.Models;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Consumes edge telemetry from an external MQTT 5 broker. Each silo subscribes to the telemetry of the edges it owns
/// (<see cref="EdgeOwners"/>, <c>domio/v1/{site}/{edge}/telemetry</c>): an edge's batches arrive in order on the silo of
/// its grain. While ownership moves, the old and the new owner both get them, and the grain drops the copies. Not a
/// shared subscription: a member that never comes back (a replaced silo) would keep taking every other batch of the
/// edge until its session expires, the one that fills a hole included, again at each replay. Edge status goes through
/// one shared subscription for all edges (<c>$share/{group}/domio/v1/+/+/status</c>, MQTT 5 §4.8.2). Messages are taken
/// concurrently (up to <see cref="BrokerOptions.ReceiveMaximum"/>) and each is acknowledged, in the order received, only after its batch
/// is committed (or refused for good); a transient failure drops the connection so the broker redelivers the
/// unacknowledged messages (MQTT 5 §4.4). The session is persistent,
/// so a silo that restarts gets what it had not acknowledged. The same connection carries the cloud's messages
/// to the edges (<see cref="EdgeCommands"/>): the broker's PUBACK to an edge only means the broker has the batch.
/// </summary>
internal sealed partial class SharedSubscriptionConsumer(
    IOptions<BrokerOptions> options,
    TelemetryIngestion ingestion,
    EdgeCommands commands,
    EdgeOwners owners,
    IGrainFactory grains,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger<SharedSubscriptionConsumer> logger) : BackgroundService
{
    /// <summary>How often the registry's version and the cluster's membership are looked at.</summary>
    private static readonly TimeSpan OwnershipCheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an edge this silo no longer owns stays subscribed: its new owner subscribes as soon as it sees the
    /// change, so for a moment both get the edge's batches, rather than neither.
    /// </summary>
    private static readonly TimeSpan HandOver = TimeSpan.FromSeconds(5);

    /// <summary>The edges subscribed to on the current connection.</summary>
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);

    /// <summary>Edges this silo does not own, since when; unsubscribed once <see cref="HandOver"/> has passed.</summary>
    private readonly Dictionary<string, DateTimeOffset> _leaving = new(StringComparer.Ordinal);

    /// <summary>Edges unsubscribed from this session: the session keeps no subscription of theirs from an earlier run.</summary>
    private readonly HashSet<string> _unsubscribed = new(StringComparer.Ordinal);

    /// <summary>The registered edges' MQTT user names (<c>{site}/{edge}</c>), as of <see cref="_registryVersion"/>.</summary>
    private List<string> _registered = [];

    private long _registryVersion = -1;
    private MembershipVersion _membershipVersion;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = options.Value;
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Declared first, disposed last: handlers of the client may still signal it while it closes.
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            using var client = new MqttClientFactory().CreateMqttClient();
            client.DisconnectedAsync += _ =>
            {
                lost.Cancel();
                return Task.CompletedTask;
            };
            // Each message is taken at once and acknowledged once committed, in the order received (MQTT 5 §4.6): a batch
            // beyond a sequence hole waits for the batch that fills it, which may come next on this connection.
            var acknowledgements = Channel.CreateUnbounded<(MqttApplicationMessageReceivedEventArgs Message, Task<MqttPubAckReasonCode> Verdict)>(new() { SingleReader = true });
            client.ApplicationMessageReceivedAsync += e =>
            {
                e.AutoAcknowledge = false;
                // The client may reuse the payload's buffer once this handler returns.
                var payload = new ReadOnlySequence<byte>(e.ApplicationMessage.Payload.ToArray());
                acknowledgements.Writer.TryWrite((e, ingestion.AcceptAsync(e.ApplicationMessage.Topic, payload, publisher: null, stoppingToken)));
                return Task.CompletedTask;
            };
            try
            {
                var connect = new MqttClientOptionsBuilder()
                    .WithTcpServer(broker.Address, broker.Port)
                    .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                    .WithClientId(broker.ClientId)
                    .WithCleanStart(false)
                    .WithSessionExpiryInterval(24 * 3600)
                    .WithReceiveMaximum((ushort)broker.ReceiveMaximum);
                if (!string.IsNullOrEmpty(broker.UserName))
                {
                    connect.WithCredentials(broker.UserName, broker.Password);
                }

                if (broker.Tls)
                {
                    connect.WithTlsOptions(tls =>
                    {
                        tls.UseTls().WithTargetHost(broker.Address).WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                        if (broker.CaCertificatePath is { } ca)
                        {
                            var trust = new X509Certificate2Collection();
                            trust.ImportFromPemFile(ca);
                            tls.WithTrustChain(trust);
                        }
                    });
                }

                var connected = await client.ConnectAsync(connect.Build(), stoppingToken);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"the broker refused the connection: {connected.ResultCode} {connected.ReasonString}");
                }

                var subscribe = new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter($"$share/{broker.ShareGroup}/{EdgeTopics.Prefix}+/+/{EdgeTopics.StatusKind}", MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await client.SubscribeAsync(subscribe, stoppingToken);
                // The session may have lost its subscriptions (a broker without persistence): subscribe again to every owned edge.
                _subscribed.Clear();
                await FollowOwnershipAsync(client, stoppingToken);
                LogSubscribed(broker.Address, broker.Port, broker.ShareGroup, _subscribed.Count);
                backoff = TimeSpan.FromMilliseconds(250);
                commands.Attach(async (message, cancellationToken) =>
                {
                    var result = await client.PublishAsync(message, cancellationToken);
                    if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                    {
                        throw new InvalidOperationException($"the broker refused it: {result.ReasonCode} {result.ReasonString}");
                    }
                },
                end: null); // Mosquitto cannot be told to drop a client; the reloaded password and ACL files refuse it from its next packet.
                var ownership = KeepFollowingOwnershipAsync(client, lost);
                try
                {
                    await AcknowledgeInOrderAsync(acknowledgements.Reader, lost);
                }
                finally
                {
                    commands.Attach(null, null);
                    await lost.CancelAsync();
                    await Task.WhenAny(ownership);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The broker, or the registry (PostgreSQL) that says which edges to subscribe to, is away: try again.
                LogConnectionLost(broker.Address, broker.Port, e.Message, backoff.TotalSeconds);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
    }

    /// <summary>Follows ownership while the connection lasts; a failure to subscribe drops the connection, which starts again.</summary>
    private async Task KeepFollowingOwnershipAsync(IMqttClient client, CancellationTokenSource lost)
    {
        try
        {
            using var tick = new PeriodicTimer(OwnershipCheck, time);
            while (await tick.WaitForNextTickAsync(lost.Token))
            {
                await FollowOwnershipAsync(client, lost.Token);
            }
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogOwnershipFailed(e.Message);
            await lost.CancelAsync();
        }
    }

    /// <summary>
    /// Subscribes to the telemetry of every registered edge this silo owns and has not subscribed to on this connection;
    /// unsubscribes from the others once they have been someone else's for <see cref="HandOver"/>, including those an
    /// earlier run of this silo left in its session.
    /// </summary>
    private async Task FollowOwnershipAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key);
        var (registryVersion, membershipVersion) = (await registry.GetVersion(), owners.Version);
        if (registryVersion == _registryVersion && membershipVersion == _membershipVersion && _leaving.Count == 0 && _subscribed.Count > 0)
        {
            return;
        }

        if (registryVersion != _registryVersion)
        {
            _registered = [.. (await registry.List()).Select(e => e.UserName)];
        }

        (_registryVersion, _membershipVersion) = (registryVersion, membershipVersion);
        var owned = owners.Owned(_registered);
        var gained = owned.Where(edge => !_subscribed.Contains(edge)).ToList();
        var now = time.GetUtcNow();
        foreach (var edge in _registered.Concat(_subscribed))
        {
            if (owned.Contains(edge))
            {
                _leaving.Remove(edge);
            }
            else if (!_unsubscribed.Contains(edge))
            {
                _leaving.TryAdd(edge, now);
            }
        }

        foreach (var chunk in gained.Chunk(100))
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var edge in chunk)
            {
                subscribe.WithTopicFilter(TelemetryFilter(edge), MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var result = await client.SubscribeAsync(subscribe.Build(), cancellationToken);
            if (result.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
            {
                throw new InvalidOperationException($"the broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}");
            }

            _subscribed.UnionWith(chunk);
            _unsubscribed.ExceptWith(chunk);
        }

        var handedOver = _leaving.Where(l => now - l.Value >= HandOver).Select(l => l.Key).ToList();
        foreach (var chunk in handedOver.Chunk(100))
        {
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var edge in chunk)
            {
                unsubscribe.WithTopicFilter(TelemetryFilter(edge));
                _leaving.Remove(edge);
            }

            await client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);
            _subscribed.ExceptWith(chunk);
            _unsubscribed.UnionWith(chunk);
        }

        metrics.Subscribed(_subscribed.Count);
        if (gained.Count > 0 || handedOver.Count > 0)
        {
            LogOwnershipChanged(gained.Count, handedOver.Count, _subscribed.Count, _registered.Count);
        }
    }

    /// <summary>An edge's telemetry topic: <paramref name="edge"/> is its MQTT user name, <c>{site}/{edge}</c>.</summary>
    private static string TelemetryFilter(string edge) => $"{EdgeTopics.Prefix}{edge}/{EdgeTopics.TelemetryKind}";

    /// <summary>
    /// Acknowledges each message once its verdict is in, in the order received; a transient failure leaves it and the
    /// rest unacknowledged and drops the connection, so the broker delivers them again to this session.
    /// </summary>
    private static async Task AcknowledgeInOrderAsync(ChannelReader<(MqttApplicationMessageReceivedEventArgs Message, Task<MqttPubAckReasonCode> Verdict)> received, CancellationTokenSource lost)
    {
        await foreach (var (message, verdict) in received.ReadAllAsync(lost.Token))
        {
            if (await verdict == MqttPubAckReasonCode.ImplementationSpecificError)
            {
                await lost.CancelAsync();
                break;
            }

            await message.AcknowledgeAsync(lost.Token);
        }

        lost.Token.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming from MQTT broker {Host}:{Port} the telemetry of the {Edges} edges this silo owns, and edge status in shared subscription group {Group}")]
    private partial void LogSubscribed(string host, int port, string group, int edges);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge ownership changed: subscribed to {Gained} edges, handed over {HandedOver}; this silo owns {Owned} of {Registered}")]
    private partial void LogOwnershipChanged(int gained, int handedOver, int owned, int registered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not follow edge ownership: {Reason}; reconnecting")]
    private partial void LogOwnershipFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port}: {Reason}; reconnecting in {Seconds} s")]
    private partial void LogConnectionLost(string host, int port, string reason, double seconds);
}
