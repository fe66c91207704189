using System.Diagnostics.Metrics;

namespace DomioOps.Cloud.Ingestion;

/// <summary>The ingestion meter: accepted, duplicate and rejected telemetry.</summary>
internal sealed class IngestionMetrics
{
    public const string MeterName = "DomioOps.Cloud.Ingestion";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _missing;
    private readonly Counter<long> _rejected;

    public IngestionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("domio.ingestion.samples.accepted", "{sample}", "Samples committed to machine state");
        _duplicates = meter.CreateCounter<long>("domio.ingestion.samples.duplicate", "{sample}", "Redelivered samples dropped by sequence");
        _missing = meter.CreateCounter<long>("domio.ingestion.samples.missing", "{sample}", "Sequence gaps: samples the edge never delivered");
        _rejected = meter.CreateCounter<long>("domio.ingestion.batches.rejected", "{batch}", "Payloads refused, by reason");
    }

    public void Committed(IngestResult result)
    {
        _accepted.Add(result.Accepted);
        _duplicates.Add(result.Duplicates);
        _missing.Add((long)result.MissingBefore);
    }

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
