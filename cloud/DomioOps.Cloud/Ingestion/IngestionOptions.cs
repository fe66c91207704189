using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Ingestion;

/// <summary>How edge telemetry is put in order (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>
    /// How long samples beyond a sequence hole wait for it to fill before the hole is declared missing.
    /// Longer than a silo takes to restart and redeliver, so a dying silo loses nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReorderWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long samples beyond a sequence hole wait in memory, their batch unacknowledged, for the hole to fill. Then
    /// they are stored with the edge's state and their batch acknowledged: a silo takes a bounded number of batches at
    /// once, and the batch that fills the hole may be queued behind the ones waiting for it (an edge that replays after a
    /// reconnect publishes it after them).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HoldUnacknowledged { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Held samples per edge beyond which the oldest hole is declared missing at once.</summary>
    [Range(100, 10_000_000)]
    public int MaxHeldSamples { get; set; } = 200_000;

    /// <summary>
    /// The least time between two flushes of committed high-water marks to the edges (<c>cmd/ack</c>): the first commit
    /// after a quiet spell is acknowledged at once, those within the interval after a flush are coalesced into the next.
    /// The edge's in-flight window must cover what it publishes in this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan AcknowledgementInterval { get; set; } = TimeSpan.FromMilliseconds(10);
}
