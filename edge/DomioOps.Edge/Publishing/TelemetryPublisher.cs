using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Edge.Configuration;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.Options;

using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace DomioOps.Edge.Publishing;

/// <summary>
/// Drains the durable queue to the cloud over MQTT 5 at QoS 1, oldest first, in batches that form while the previous
/// publish is in flight (see <see cref="InFlightWindow"/>), and listens on the edge's command topic. Samples leave the queue on the cloud's acknowledgement (<c>cmd/ack</c>)
/// or, for a plain MQTT consumer, on the broker's PUBACK (<see cref="PublishingOptions.Acknowledgement"/>);
/// <see cref="InFlightWindow"/> keeps what is published and unacknowledged bounded and replays it after a
/// reconnect or a silence. After an outage the backlog is replayed in order (live samples join its tail).
/// </summary>
internal sealed partial class TelemetryPublisher(
    IOptions<EdgeOptions> options,
    SampleQueue queue,
    DeviceConfiguration configuration,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger<TelemetryPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private readonly EdgeOptions _edge = options.Value;
    private readonly InFlightWindow _window = metrics.ObserveWindow(new(queue, options.Value.Publishing, time, metrics));
    private readonly SemaphoreSlim _acknowledged = new(0, 1);
    private IMqttClient? _client;
    private int _connections;
    private Task _configurationChanged = configuration.Changed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureConnectedAsync(stoppingToken);
                if (_configurationChanged.IsCompleted)
                {
                    // An applied or refused remote configuration (or a reloaded file): the cloud shows what runs.
                    _configurationChanged = configuration.Changed;
                    await _client!.PublishAsync(StatusMessage(online: true), stoppingToken);
                }

                var (batch, lookAgainAt) = _window.Next();
                if (batch.Count > 0)
                {
                    await PublishAsync(batch, stoppingToken);
                }
                else
                {
                    await WaitAsync(lookAgainAt, stoppingToken);
                }

                backoff = TimeSpan.FromMilliseconds(250);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPublishFailed(e.Message, backoff.TotalSeconds);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client is { IsConnected: true })
        {
            // A clean stop says goodbye itself; the last will covers crashes and a broker that is gone.
            try
            {
                await _client.PublishAsync(StatusMessage(online: false), cancellationToken);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
            {
                LogGoodbyeFailed(e.Message);
            }
        }

        _client?.Dispose();
    }

    public override void Dispose()
    {
        _acknowledged.Dispose();
        base.Dispose();
    }

    private async Task PublishAsync(IReadOnlyList<Sample> samples, CancellationToken cancellationToken)
    {
        var batch = new TelemetryBatch { SchemaVersion = 1, Site = _edge.Site, Edge = _edge.Id };
        batch.Samples.AddRange(samples);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.Telemetry(_edge.Site, _edge.Id))
            .WithPayload(batch.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var last = samples[^1].Sequence;
        _window.Publishing(last);
        var result = await _client!.PublishAsync(message, cancellationToken);
        switch (result.ReasonCode)
        {
            case MqttClientPublishReasonCode.Success:
            case MqttClientPublishReasonCode.NoMatchingSubscribers when _edge.Publishing.Acknowledgement == Acknowledgement.Cloud:
                // With the cloud's acknowledgement, a broker without subscribers is no loss: nothing is acknowledged, so it is sent again.
                _window.Published(last);
                break;
            case MqttClientPublishReasonCode.NoMatchingSubscribers:
                // The broker's PUBACK would delete the samples, but it discarded them: nobody subscribes (a cloud silo
                // between owners of this edge, or none running). Kept, and sent again after the backoff.
                throw new InvalidOperationException($"no consumer subscribes to {message.Topic}, so the broker discarded samples {samples[0].Sequence}..{last}; they stay queued");
            case MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.TopicNameInvalid
                or MqttClientPublishReasonCode.NotAuthorized or MqttClientPublishReasonCode.QuotaExceeded:
                // The cloud will never take this batch: keeping it would block everything behind it.
                LogBatchRefused(samples[0].Sequence, last, result.ReasonCode.ToString(), result.ReasonString ?? "");
                _window.Refused(last);
                break;
            default:
                throw new InvalidOperationException($"the broker did not take samples {samples[0].Sequence}..{last}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>Until samples or an acknowledgement arrive, or <paramref name="until"/>.</summary>
    private async Task WaitAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(until is { } at ? TimeSpan.FromTicks(Math.Max(at.Ticks - time.GetUtcNow().Ticks, TimeSpan.TicksPerMillisecond)) : MaxBackoff);
        try
        {
            await Task.WhenAny(queue.WaitForSamplesAsync(wait.Token), _acknowledged.WaitAsync(wait.Token), _configurationChanged.WaitAsync(wait.Token));
        }
        finally
        {
            await wait.CancelAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private Task ReceiveAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        try
        {
            if (topic == EdgeTopics.Acknowledgement(_edge.Site, _edge.Id))
            {
                var ack = TelemetryAck.Parser.ParseFrom(e.ApplicationMessage.Payload);
                if (ack.Site == _edge.Site && ack.Edge == _edge.Id)
                {
                    if (!_window.CloudAcknowledged(ack.Sequence))
                    {
                        LogAcknowledgementRefused(ack.Sequence, _window.HandedOut);
                    }
                    else if (_acknowledged.CurrentCount == 0)
                    {
                        Release(_acknowledged);
                    }
                }
            }
            else if (topic == EdgeTopics.Configuration(_edge.Site, _edge.Id))
            {
                var desired = EdgeConfiguration.Parser.ParseFrom(e.ApplicationMessage.Payload);
                if (desired.Site == _edge.Site && desired.Edge == _edge.Id && desired.SchemaVersion == 1)
                {
                    configuration.Apply(desired);
                }
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            LogCommandMalformed(topic, ex.Message);
        }

        return Task.CompletedTask;
    }

    private static void Release(SemaphoreSlim signal)
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled already; once is enough.
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true })
        {
            return;
        }

        _client?.Dispose();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += ReceiveAsync;
        // The client id is the user name: the cloud's broker (and Mosquitto's use_username_as_clientid) binds the session to it.
        var userName = _edge.Publishing.UserName ?? $"{_edge.Site}/{_edge.Id}";
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_edge.Publishing.BrokerHost, _edge.Publishing.BrokerPort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(userName)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(EdgeTopics.Status(_edge.Site, _edge.Id))
            .WithWillPayload(StatusPayload(online: false))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        if (_edge.Publishing.Tls)
        {
            builder.WithTlsOptions(ConfigureTls);
        }

        if (!string.IsNullOrEmpty(_edge.Publishing.Password))
        {
            builder.WithCredentials(userName, _edge.Publishing.Password);
        }

        var connected = await _client.ConnectAsync(builder.Build(), cancellationToken);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the connection: {connected.ResultCode} {connected.ReasonString}");
        }

        if (_connections++ > 0)
        {
            metrics.Reconnected();
        }

        // Every connection: the broker may have lost the session, and with it the subscription.
        await _client.SubscribeAsync(EdgeTopics.Commands(_edge.Site, _edge.Id), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        _window.Reconnected();
        await _client.PublishAsync(StatusMessage(online: true), cancellationToken);
        LogConnected(_edge.Publishing.BrokerHost, _edge.Publishing.BrokerPort, queue.Count);
    }

    private void ConfigureTls(MqttClientTlsOptionsBuilder tls)
    {
        var p = _edge.Publishing;
        tls.UseTls().WithTargetHost(p.TlsTargetHost ?? p.BrokerHost).WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
        if (p.CaCertificatePath is { } ca)
        {
            // Only the given CA is trusted for the broker's certificate (a custom root trust store).
            var trust = new X509Certificate2Collection();
            trust.ImportFromPemFile(ca);
            tls.WithTrustChain(trust);
        }

        if (p.ClientCertificatePath is { } certificate && p.ClientKeyPath is { } key)
        {
            tls.WithClientCertificates([X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(certificate, key).Export(X509ContentType.Pkcs12), null)]);
        }
    }

    private MqttApplicationMessage StatusMessage(bool online) => new MqttApplicationMessageBuilder()
        .WithTopic(EdgeTopics.Status(_edge.Site, _edge.Id))
        .WithPayload(StatusPayload(online))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag(true)
        .Build();

    private byte[] StatusPayload(bool online)
    {
        var status = new EdgeStatus
        {
            SchemaVersion = 1,
            Site = _edge.Site,
            Edge = _edge.Id,
            Online = online,
            TimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Backlog = (ulong)queue.Count,
            ConfigVersion = configuration.AppliedVersion,
            RejectedConfigVersion = configuration.RejectedVersion,
        };
        status.ConfigErrors.AddRange(configuration.Errors);
        return status.ToByteArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port}; {Backlog} samples waiting")]
    private partial void LogConnected(string host, int port, long backlog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing failed ({Reason}); retrying in {Seconds} s")]
    private partial void LogPublishFailed(string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not say goodbye to the broker ({Reason}); its last will reports this edge offline")]
    private partial void LogGoodbyeFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed command on {Topic}: {Reason}")]
    private partial void LogCommandMalformed(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an acknowledgement of sequence {Sequence}: this edge has published only up to {Published} since it started (forged, or left from before a restart)")]
    private partial void LogAcknowledgementRefused(ulong sequence, ulong published);

    [LoggerMessage(Level = LogLevel.Error, Message = "The cloud refused samples {First}..{Last} for good ({Code}: {Detail}); they are dropped")]
    private partial void LogBatchRefused(ulong first, ulong last, string code, string detail);
}
