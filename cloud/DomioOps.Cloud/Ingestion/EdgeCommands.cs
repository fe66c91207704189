using System.Collections.Concurrent;
using System.Threading.Channels;

using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The cloud → edge direction, <c>domio/v1/{site}/{edge}/cmd/…</c>: acknowledgements of committed telemetry
/// (<c>cmd/ack</c>) and desired configurations (<c>cmd/config</c>, retained). An acknowledgement leaves as soon as a
/// commit is recorded, unless one left less than <see cref="IngestionOptions.AcknowledgementInterval"/> ago: then the
/// commits of that interval are coalesced, per edge, into one carrying the newest high-water mark. The broker in
/// use (embedded, or the external broker's consumer) attaches itself as the transport while it is connected.
/// </summary>
internal sealed partial class EdgeCommands(
    IOptions<IngestionOptions> options,
    EdgeConfigurationKey configurationKey,
    TimeProvider time,
    ILogger<EdgeCommands> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Site, string Edge), ulong> _pending = new();

    /// <summary>Holds one token while acknowledgements are pending; the flush loop waits on it.</summary>
    private readonly Channel<byte> _recorded = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Func<MqttApplicationMessage, CancellationToken, Task>? _transport;
    private Func<string, string, Task>? _endSession;

    /// <summary>
    /// Sets (or, with nulls, removes) the way messages reach the broker, and the way to end an edge's live session
    /// (null where the broker cannot be told, as with an external broker).
    /// </summary>
    public void Attach(Func<MqttApplicationMessage, CancellationToken, Task>? publish, Func<string, string, Task>? end)
    {
        Volatile.Write(ref _transport, publish);
        Volatile.Write(ref _endSession, end);
        if (publish is not null && !_pending.IsEmpty)
        {
            Signal();
        }
    }

    /// <summary>Ends the edge's live MQTT connection, if the broker is ours: its credential was rotated or disabled.</summary>
    public Task EndSessionAsync(string site, string edge) => Volatile.Read(ref _endSession) is { } end ? end(site, edge) : Task.CompletedTask;

    /// <summary>Records that the edge's samples up to <paramref name="highest"/> are committed; sent with the next flush.</summary>
    public void Acknowledge(string site, string edge, ulong highest)
    {
        if (highest > 0)
        {
            _pending.AddOrUpdate((site, edge), highest, (_, previous) => Math.Max(previous, highest));
            Signal();
        }
    }

    /// <summary>Wakes the flush loop; when it is already woken, its next flush takes this one too.</summary>
    private void Signal() => _recorded.Writer.TryWrite(0);

    /// <summary>Publishes the edge's desired configuration, signed and retained, so the edge gets it whenever it (re)subscribes.</summary>
    public async Task<bool> PublishConfigurationAsync(string site, string edge, ulong version, string devicesJson, CancellationToken cancellationToken)
    {
        var publish = Volatile.Read(ref _transport);
        if (publish is null || !configurationKey.IsConfigured)
        {
            return false;
        }

        var configuration = new EdgeConfiguration
        {
            SchemaVersion = 1,
            Site = site,
            Edge = edge,
            Version = version,
            DevicesJson = devicesJson,
            Signature = ByteString.CopyFrom(configurationKey.Sign(site, edge, version, devicesJson)),
        };
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.Configuration(site, edge))
            .WithPayload(configuration.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build();
        try
        {
            await publish(message, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPublishFailed(EdgeTopics.Configuration(site, edge), e.Message);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _recorded.Reader.ReadAsync(stoppingToken);
            // What is committed in the meantime waits for the interval's end, and leaves in one message per edge; after
            // a failed publish, the next try waits longer.
            var sent = await FlushAsync(stoppingToken);
            await Task.Delay(sent ? options.Value.AcknowledgementInterval : RetryAfterFailure, time, stoppingToken);
        }
    }

    /// <summary>
    /// Sends one acknowledgement per edge with news; what cannot be sent now waits for the next flush. False when a
    /// publish failed.
    /// </summary>
    internal async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var publish = Volatile.Read(ref _transport);
        if (publish is null)
        {
            // Sent once a transport is attached.
            return true;
        }

        foreach (var key in _pending.Keys)
        {
            if (!_pending.TryRemove(key, out var sequence))
            {
                continue;
            }

            var message = new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.Acknowledgement(key.Site, key.Edge))
                .WithPayload(new TelemetryAck { SchemaVersion = 1, Site = key.Site, Edge = key.Edge, Sequence = sequence }.ToByteArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            try
            {
                await publish(message, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept for the next flush (a transport attached again signals it too); the edge republishes what
                // stays unacknowledged too long anyway.
                Acknowledge(key.Site, key.Edge, sequence);
                LogPublishFailed(message.Topic, e.Message);
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish {Topic}: {Reason}; trying again later")]
    private partial void LogPublishFailed(string topic, string reason);
}
