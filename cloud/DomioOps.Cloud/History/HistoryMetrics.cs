using System.Diagnostics.Metrics;

namespace DomioOps.Cloud.History;

/// <summary>The history meter: samples written, skipped and expired, commit time, partitions, and the line-protocol sink.</summary>
internal sealed class HistoryMetrics
{
    public const string MeterName = "DomioOps.Cloud.History";

    private readonly Counter<long> _written;
    private readonly Counter<long> _alreadyWritten;
    private readonly Counter<long> _expired;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _partitionsCreated;
    private readonly Counter<long> _partitionsDropped;
    private readonly Counter<long> _sinkSent;
    private readonly Counter<long> _sinkDropped;
    private readonly Counter<long> _sinkFailures;

    public HistoryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _written = meter.CreateCounter<long>("domio.history.samples.written", "{sample}", "Samples committed to the history tables");
        _alreadyWritten = meter.CreateCounter<long>("domio.history.samples.already_written", "{sample}", "Redelivered samples the history already held");
        _expired = meter.CreateCounter<long>("domio.history.samples.expired", "{sample}", "Samples older than the retention, not stored");
        _commitDuration = meter.CreateHistogram<double>("domio.history.commit.duration", "s", "Time to commit one batch to history");
        _partitionsCreated = meter.CreateCounter<long>("domio.history.partitions.created", "{partition}", "Day partitions created");
        _partitionsDropped = meter.CreateCounter<long>("domio.history.partitions.dropped", "{partition}", "Day partitions dropped by retention");
        _sinkSent = meter.CreateCounter<long>("domio.history.line_protocol.points.sent", "{point}", "Points accepted by the line-protocol endpoint");
        _sinkDropped = meter.CreateCounter<long>("domio.history.line_protocol.points.dropped", "{point}", "Points dropped: buffer full or attempts exhausted");
        _sinkFailures = meter.CreateCounter<long>("domio.history.line_protocol.requests.failed", "{request}", "Write requests that failed");
    }

    public void Committed(int rows, int already, int tooOld, TimeSpan elapsed)
    {
        _written.Add(rows);
        _alreadyWritten.Add(already);
        _expired.Add(tooOld);
        _commitDuration.Record(elapsed.TotalSeconds);
    }

    public void PartitionCreated() => _partitionsCreated.Add(1);

    public void PartitionDropped() => _partitionsDropped.Add(1);

    public void SinkSent(int points) => _sinkSent.Add(points);

    public void SinkDropped(int points, string reason) => _sinkDropped.Add(points, new KeyValuePair<string, object?>("reason", reason));

    public void SinkFailed() => _sinkFailures.Add(1);
}
