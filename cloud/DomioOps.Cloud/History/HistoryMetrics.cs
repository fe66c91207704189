using System.Diagnostics.Metrics;

namespace DomioOps.Cloud.History;

/// <summary>The history meter: samples written, skipped and expired, commit time, partitions, and the line-protocol sink.</summary>
internal sealed class HistoryMetrics
{
    public const string MeterName = "DomioOps.Cloud.History";

    private readonly Counter<long> written;
    private readonly Counter<long> alreadyWritten;
    private readonly Counter<long> expired;
    private readonly Histogram<double> commitDuration;
    private readonly Counter<long> partitionsCreated;
    private readonly Counter<long> partitionsDropped;
    private readonly Counter<long> sinkSent;
    private readonly Counter<long> sinkDropped;
    private readonly Counter<long> sinkFailures;

    public HistoryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        written = meter.CreateCounter<long>("domio.history.samples.written", "{sample}", "Samples committed to the history tables");
        alreadyWritten = meter.CreateCounter<long>("domio.history.samples.already_written", "{sample}", "Redelivered samples the history already held");
        expired = meter.CreateCounter<long>("domio.history.samples.expired", "{sample}", "Samples older than the retention, not stored");
        commitDuration = meter.CreateHistogram<double>("domio.history.commit.duration", "s", "Time to commit one batch to history");
        partitionsCreated = meter.CreateCounter<long>("domio.history.partitions.created", "{partition}", "Day partitions created");
        partitionsDropped = meter.CreateCounter<long>("domio.history.partitions.dropped", "{partition}", "Day partitions dropped by retention");
        sinkSent = meter.CreateCounter<long>("domio.history.line_protocol.points.sent", "{point}", "Points accepted by the line-protocol endpoint");
        sinkDropped = meter.CreateCounter<long>("domio.history.line_protocol.points.dropped", "{point}", "Points dropped: buffer full or attempts exhausted");
        sinkFailures = meter.CreateCounter<long>("domio.history.line_protocol.requests.failed", "{request}", "Write requests that failed");
    }

    public void Committed(int rows, int already, int tooOld, TimeSpan elapsed)
    {
        written.Add(rows);
        alreadyWritten.Add(already);
        expired.Add(tooOld);
        commitDuration.Record(elapsed.TotalSeconds);
    }

    public void PartitionCreated() => partitionsCreated.Add(1);

    public void PartitionDropped() => partitionsDropped.Add(1);

    public void SinkSent(int points) => sinkSent.Add(points);

    public void SinkDropped(int points, string reason) => sinkDropped.Add(points, new KeyValuePair<string, object?>("reason", reason));

    public void SinkFailed() => sinkFailures.Add(1);
}
