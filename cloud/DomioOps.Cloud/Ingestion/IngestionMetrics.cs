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
    private readonly Counter<long> _batches;
    private int _subscribedEdges = -1;

    public IngestionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("domio.ingestion.samples.accepted", "{sample}", "Samples committed to machine state");
        _duplicates = meter.CreateCounter<long>("domio.ingestion.samples.duplicate", "{sample}", "Redelivered samples dropped by sequence");
        _missing = meter.CreateCounter<long>("domio.ingestion.samples.missing", "{sample}", "Sequence gaps: samples the edge never delivered");
        _rejected = meter.CreateCounter<long>("domio.ingestion.batches.rejected", "{batch}", "Payloads refused, by reason");
        _batches = meter.CreateCounter<long>(
            "domio.ingestion.batches", "{batch}", "Telemetry batches committed, by where the edge's grain was: on the silo that took the batch (this-silo) or another (other-silo, a call across silos)");
        // Not reported until the silo has subscribed (only a silo consuming from an external broker does).
        meter.CreateObservableGauge(
            "domio.ingestion.edges.subscribed",
            () => Volatile.Read(ref _subscribedEdges) is var edges and >= 0 ? [new Measurement<int>(edges)] : Array.Empty<Measurement<int>>(),
            "{edge}",
            "Edges whose telemetry this silo subscribes to: the edges it owns, and for a while those it handed over");
    }

    /// <param name="result">The grain's answer.</param>
    /// <param name="local">This silo: the grain that committed the batch may have been on another.</param>
    public void Committed(IngestResult result, SiloAddress? local)
    {
        _batches.Add(1, new KeyValuePair<string, object?>("grain", result.Silo is null || result.Silo.Equals(local) ? "this-silo" : "other-silo"));
        _accepted.Add(result.Accepted);
        _duplicates.Add(result.Duplicates);
        _missing.Add((long)result.MissingBefore);
    }

    public void Subscribed(int edges) => Volatile.Write(ref _subscribedEdges, edges);

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
