using System.Diagnostics.Metrics;

namespace DomioOps.Cloud.Ingestion;

/// <summary>The ingestion meter: accepted, duplicate and rejected telemetry.</summary>
internal sealed class IngestionMetrics
{
    public const string MeterName = "DomioOps.Cloud.Ingestion";

    private readonly Counter<long> accepted;
    private readonly Counter<long> duplicates;
    private readonly Counter<long> missing;
    private readonly Counter<long> rejected;

    public IngestionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        accepted = meter.CreateCounter<long>("domio.ingestion.samples.accepted", "{sample}", "Samples committed to machine state");
        duplicates = meter.CreateCounter<long>("domio.ingestion.samples.duplicate", "{sample}", "Redelivered samples dropped by sequence");
        missing = meter.CreateCounter<long>("domio.ingestion.samples.missing", "{sample}", "Sequence gaps: samples the edge never delivered");
        rejected = meter.CreateCounter<long>("domio.ingestion.batches.rejected", "{batch}", "Payloads refused, by reason");
    }

    public void Committed(IngestResult result)
    {
        accepted.Add(result.Accepted);
        duplicates.Add(result.Duplicates);
        missing.Add((long)result.MissingBefore);
    }

    public void Rejected(string reason) => rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
