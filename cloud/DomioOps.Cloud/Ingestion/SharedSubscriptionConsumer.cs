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
/// Consumes edge telemetry from an external MQTT 5 broker through a shared subscription
/// (<c>$share/{group}/domio/v1/+/+/telemetry</c>, MQTT 5 §4.8.2), so the silos split the load. Messages are taken
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
    TimeProvider time,
    ILogger<SharedSubscriptionConsumer> logger) : BackgroundService
{
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
                    .WithTopicFilter($"$share/{broker.ShareGroup}/{EdgeTopics.AllTelemetry}", MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithTopicFilter($"$share/{broker.ShareGroup}/{EdgeTopics.Prefix}+/+/{EdgeTopics.StatusKind}", MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await client.SubscribeAsync(subscribe, stoppingToken);
                LogSubscribed(broker.Address, broker.Port, broker.ShareGroup);
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
                try
                {
                    await AcknowledgeInOrderAsync(acknowledgements.Reader, lost);
                }
                finally
                {
                    commands.Attach(null, null);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is OperationCanceledException or MqttCommunicationException or InvalidOperationException)
            {
                LogConnectionLost(broker.Address, broker.Port, e.Message, backoff.TotalSeconds);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming telemetry from MQTT broker {Host}:{Port}, shared subscription group {Group}")]
    private partial void LogSubscribed(string host, int port, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port}: {Reason}; reconnecting in {Seconds} s")]
    private partial void LogConnectionLost(string host, int port, string reason, double seconds);
}
