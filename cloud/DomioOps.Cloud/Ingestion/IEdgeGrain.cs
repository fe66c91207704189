using DomioOps.Cloud.Machines;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// One edge agent, keyed <c>{site}/{edge}</c>. Keeps the highest committed sequence of the edge and drops
/// samples at or below it, so a redelivered batch is never counted twice.
/// </summary>
public interface IEdgeGrain : IGrainWithStringKey
{
    /// <summary>Commits a batch (samples in increasing sequence order); returns once it is durable.</summary>
    Task<IngestResult> Ingest(IReadOnlyList<EdgeSample> samples);

    Task SetOnline(bool online, DateTimeOffset at);

    Task<EdgeSnapshot> GetSnapshot();
}

/// <summary>A sample with the machine it belongs to.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeSample([property: Id(0)] string Machine, [property: Id(1)] MachineSample Sample);

/// <summary>How many samples of a batch were new, and how many were duplicates of committed ones.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestResult([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates, [property: Id(2)] ulong MissingBefore);

[GenerateSerializer, Immutable]
public sealed record EdgeSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] bool Online,
    [property: Id(2)] ulong HighestSequence,
    [property: Id(3)] long SamplesAccepted,
    [property: Id(4)] long DuplicatesDropped,
    [property: Id(5)] ulong MissingSamples,
    [property: Id(6)] DateTimeOffset? LastSeen);
