using System.Buffers;

using DomioOps.Cloud.Machines;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using MQTTnet.Protocol;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Turns one MQTT publish from an edge into committed grain state. The returned reason code is the PUBACK
/// the edge receives: success only once the batch is durable; a refusal for a payload that can never be
/// accepted; <see cref="MqttPubAckReasonCode.ImplementationSpecificError"/> for a transient failure the
/// edge retries.
/// </summary>
internal sealed partial class TelemetryIngestion(
    IGrainFactory grains,
    EdgeCommands commands,
    IngestionMetrics metrics,
    ILocalSiloDetails silo,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    ILogger<TelemetryIngestion> logger)
{
    public const uint SchemaVersion = 1;

    /// <summary>How many times a batch is handed to its edge's grain before the call fails: three call timeouts, longer than the default reorder window.</summary>
    private const int MaxIngestAttempts = 3;

    /// <param name="publisher">The authenticated MQTT user (<c>{site}/{edge}</c>) when the broker is ours; null when an external broker enforced its ACL.</param>
    public async Task<MqttPubAckReasonCode> AcceptAsync(string topic, ReadOnlySequence<byte> payload, string? publisher, CancellationToken cancellationToken)
    {
        if (!EdgeTopics.TryParse(topic, out var site, out var edge, out var kind))
        {
            return Reject("topic", publisher ?? topic, $"'{topic}' is not of the form domio/v1/{{site}}/{{edge}}/{{kind}}", MqttPubAckReasonCode.TopicNameInvalid);
        }

        var edgeKey = EdgeGrain.Key(site, edge);
        if (publisher is not null && publisher != edgeKey)
        {
            return Reject("foreign-topic", publisher, $"published on the topic of {edgeKey}", MqttPubAckReasonCode.NotAuthorized);
        }

        if (payload.Length > options.Value.MaxPayloadBytes)
        {
            return Reject("oversized", edgeKey, $"payload of {payload.Length} bytes exceeds {options.Value.MaxPayloadBytes}", MqttPubAckReasonCode.QuotaExceeded);
        }

        try
        {
            switch (kind)
            {
                case EdgeTopics.TelemetryKind:
                    return await AcceptTelemetryAsync(site, edge, edgeKey, TelemetryBatch.Parser.ParseFrom(payload));
                case EdgeTopics.StatusKind:
                    await AcceptStatusAsync(site, edge, edgeKey, EdgeStatus.Parser.ParseFrom(payload), cancellationToken);
                    return MqttPubAckReasonCode.Success;
                default:
                    // Commands flow from the cloud to the edge, never the other way.
                    return publisher is null ? MqttPubAckReasonCode.Success : Reject("foreign-topic", edgeKey, $"an edge may not publish on {topic}", MqttPubAckReasonCode.NotAuthorized);
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            return Reject("malformed", edgeKey, e.Message, MqttPubAckReasonCode.PayloadFormatInvalid);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCommitFailed(e, edgeKey);
            return MqttPubAckReasonCode.ImplementationSpecificError;
        }
    }

    private async Task<MqttPubAckReasonCode> AcceptTelemetryAsync(string site, string edge, string edgeKey, TelemetryBatch batch)
    {
        if (batch.SchemaVersion != SchemaVersion)
        {
            return Reject("schema-version", edgeKey, $"schema version {batch.SchemaVersion}, this cloud reads {SchemaVersion}", MqttPubAckReasonCode.PayloadFormatInvalid);
        }

        if (batch.Site != site || batch.Edge != edge)
        {
            return Reject("spoofed-topic", edgeKey, $"batch says {batch.Site}/{batch.Edge}", MqttPubAckReasonCode.NotAuthorized);
        }

        var samples = new List<EdgeSample>(batch.Samples.Count);
        ulong previous = 0;
        foreach (var sample in batch.Samples)
        {
            if (sample.Sequence <= previous)
            {
                return Reject("invalid-sample", edgeKey, $"sequence {sample.Sequence} does not increase", MqttPubAckReasonCode.PayloadFormatInvalid);
            }

            if (!EdgeTopics.IsValidId(sample.Machine) || !Enum.IsDefined(sample.Signal) || sample.Signal == Signal.Unspecified)
            {
                return Reject("invalid-sample", edgeKey, $"sample {sample.Sequence}: machine '{sample.Machine}', signal {sample.Signal}", MqttPubAckReasonCode.PayloadFormatInvalid);
            }

            previous = sample.Sequence;
            samples.Add(new EdgeSample(sample.Machine, new MachineSample(
                sample.Sequence,
                sample.Signal,
                DateTimeOffset.FromUnixTimeMilliseconds(sample.TimestampMs),
                sample.ValueCase switch
                {
                    Sample.ValueOneofCase.Number => sample.Number,
                    Sample.ValueOneofCase.Integer => sample.Integer,
                    Sample.ValueOneofCase.Flag => sample.Flag ? 1 : 0,
                    _ => null,
                },
                sample.ValueCase == Sample.ValueOneofCase.Text ? sample.Text : null)));
        }

        if (samples.Count == 0)
        {
            return MqttPubAckReasonCode.Success;
        }

        var result = await IngestAsync(edgeKey, samples);
        metrics.Committed(result, silo.SiloAddress);
        // Also when everything was a duplicate: a republished batch means the edge missed an acknowledgement.
        commands.Acknowledge(site, edge, result.HighestSequence);
        return MqttPubAckReasonCode.Success;
    }

    /// <summary>
    /// Hands the samples to the edge's grain. A call that times out (its batch waits beyond a hole, or the silo is slow)
    /// is made again rather than failed: the grain may hold the samples already, and a failure would have the whole
    /// connection's batches delivered again, adding load where there is too much. Past the reorder window the grain
    /// settles every hole itself.
    /// </summary>
    private async Task<IngestResult> IngestAsync(string edgeKey, List<EdgeSample> samples)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grains.GetGrain<IEdgeGrain>(edgeKey).Ingest(samples);
            }
            catch (TimeoutException) when (attempt < MaxIngestAttempts)
            {
                LogIngestSlow(edgeKey, attempt);
            }
        }
    }

    /// <summary>
    /// Records the edge's birth or death. At birth the edge is told where it stands: its high-water mark (it may
    /// have missed acknowledgements while away) and, when it does not run it yet, its desired configuration
    /// (a broker that lost its retained messages would otherwise never deliver it).
    /// </summary>
    private async Task AcceptStatusAsync(string site, string edge, string edgeKey, EdgeStatus status, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IEdgeGrain>(edgeKey);
        var snapshot = await grain.SetStatus(new EdgeReport(status.Online, status.Backlog, time.GetUtcNow(), status.ConfigVersion, status.RejectedConfigVersion, [.. status.ConfigErrors]));
        if (!status.Online)
        {
            return;
        }

        commands.Acknowledge(site, edge, snapshot.HighestSequence);
        if (snapshot.DesiredConfigVersion > Math.Max(snapshot.AppliedConfigVersion, snapshot.RejectedConfigVersion)
            && await grain.GetDesiredConfiguration() is { } desired)
        {
            await commands.PublishConfigurationAsync(site, edge, desired.Version, desired.DevicesJson, cancellationToken);
        }
    }

    private MqttPubAckReasonCode Reject(string reason, string source, string detail, MqttPubAckReasonCode code)
    {
        metrics.Rejected(reason);
        LogRejected(source, reason, detail);
        return code;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected telemetry from {Source}: {Reason} ({Detail})")]
    private partial void LogRejected(string source, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry of edge {Edge} not committed within the call timeout (attempt {Attempt}); handing it over again")]
    private partial void LogIngestSlow(string edge, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit telemetry of edge {Edge}; the edge will redeliver")]
    private partial void LogCommitFailed(Exception exception, string edge);
}
