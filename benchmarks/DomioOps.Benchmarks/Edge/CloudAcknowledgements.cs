using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Benchmarks.Edge;

/// <summary>
/// The harness's subscriber acting as the cloud for <c>Publishing:Acknowledgement Cloud</c>: per edge, the highest
/// sequence up to which every sample has arrived (samples beyond a hole count once it fills), sent on the edge's
/// <c>cmd/ack</c> as a <see cref="TelemetryAck"/> at QoS 1, coalesced as the cloud's <c>EdgeCommands</c> does: at most one
/// per edge every <see cref="Interval"/> (the default <c>Ingestion:AcknowledgementInterval</c>), carrying the newest mark.
/// Unlike the cloud, it acknowledges on arrival, not after a database commit.
/// </summary>
internal sealed class CloudAcknowledgements
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<(string Site, string Edge), Mark> _edges = [];
    private long _duplicates;
    private long _sent;

    /// <summary>Samples that arrived again (a replay), not counted into the mark.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Acknowledgements published.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Counts a batch into its edge's contiguous mark. Thread-safe.</summary>
    public void Received(TelemetryBatch batch)
    {
        lock (_edges)
        {
            if (!_edges.TryGetValue((batch.Site, batch.Edge), out var mark))
            {
                _edges[(batch.Site, batch.Edge)] = mark = new Mark();
            }

            foreach (var sample in batch.Samples)
            {
                var sequence = sample.Sequence;
                if (sequence == mark.Contiguous + 1 && mark.Beyond.Count == 0)
                {
                    mark.Contiguous = sequence;
                }
                else if (sequence <= mark.Contiguous || !mark.Beyond.Add(sequence))
                {
                    _duplicates++;
                }
            }

            while (mark.Beyond.Count > 0 && mark.Beyond.Min == mark.Contiguous + 1)
            {
                mark.Beyond.Remove(mark.Contiguous + 1);
                mark.Contiguous++;
            }
        }
    }

    /// <summary>Every <see cref="Interval"/>, one acknowledgement per edge whose mark advanced, until cancelled.</summary>
    public async Task RunAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                List<(string Site, string Edge, ulong Sequence)> news;
                lock (_edges)
                {
                    news = [.. _edges.Where(e => e.Value.Contiguous > e.Value.Acknowledged).Select(e => (e.Key.Site, e.Key.Edge, e.Value.Contiguous))];
                    foreach (var (site, edge, sequence) in news)
                    {
                        _edges[(site, edge)].Acknowledged = sequence;
                    }
                }

                foreach (var (site, edge, sequence) in news)
                {
                    await client.PublishAsync(new MqttApplicationMessageBuilder()
                        .WithTopic(EdgeTopics.Acknowledgement(site, edge))
                        .WithPayload(new TelemetryAck { SchemaVersion = 1, Site = site, Edge = edge, Sequence = sequence }.ToByteArray())
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(), cancellationToken);
                    Interlocked.Increment(ref _sent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private sealed class Mark
    {
        public ulong Contiguous { get; set; }

        public ulong Acknowledged { get; set; }

        public SortedSet<ulong> Beyond { get; } = [];
    }
}
