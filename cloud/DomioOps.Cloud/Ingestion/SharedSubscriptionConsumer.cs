using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

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
/// (<c>$share/{group}/domio/v1/+/+/telemetry</c>, MQTT 5 §4.8.2), so the silos split the load. A message is
/// acknowledged only after its batch is committed (or refused for good); a transient failure drops the
/// connection so the broker redelivers the unacknowledged message (MQTT 5 §4.4). The session is persistent,
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
            client.ApplicationMessageReceivedAsync += async e =>
            {
                e.AutoAcknowledge = false;
                var verdict = await ingestion.AcceptAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, publisher: null, stoppingToken);
                if (verdict == MqttPubAckReasonCode.ImplementationSpecificError)
                {
                    // Not acknowledged: drop the connection (from the loop, not from inside this handler) so
                    // the broker redelivers it to this session when it reconnects.
                    await lost.CancelAsync();
                    return;
                }

                await e.AcknowledgeAsync(stoppingToken);
            };
            try
            {
                var connect = new MqttClientOptionsBuilder()
                    .WithTcpServer(broker.Address, broker.Port)
                    .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                    .WithClientId(broker.ClientId)
                    .WithCleanStart(false)
                    .WithSessionExpiryInterval(24 * 3600)
                    .WithReceiveMaximum(1000);
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
                    await Task.Delay(Timeout.Infinite, lost.Token);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming telemetry from MQTT broker {Host}:{Port}, shared subscription group {Group}")]
    private partial void LogSubscribed(string host, int port, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port}: {Reason}; reconnecting in {Seconds} s")]
    private partial void LogConnectionLost(string host, int port, string reason, double seconds);
}
