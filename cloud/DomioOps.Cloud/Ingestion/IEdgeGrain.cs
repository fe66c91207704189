using DomioOps.Cloud.Machines;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// One edge agent, keyed <c>{site}/{edge}</c>: the point where its samples are put back in sequence order
/// and committed exactly once. Batches may arrive out of order (silos sharing a subscription race each
/// other; a silo that died redelivers after restarting): samples beyond a hole are held in memory, and the call
/// that brought them returns once they are committed, so their batch is not acknowledged before (a silo that
/// dies holding them loses nothing: the broker or the edge delivers them again). A hole still open after
/// <see cref="IngestionOptions.HoldUnacknowledged"/> has the samples beyond it stored and the call return. The hole
/// fills, or <see cref="IngestionOptions.ReorderWindow"/> passes and it is declared missing.
/// Samples at or below the committed sequence, or already held, are duplicates and dropped.
/// </summary>
public interface IEdgeGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes a batch (samples in increasing sequence order); returns once every sample of it is committed (or was
    /// committed before), or stored beyond a hole after <see cref="IngestionOptions.HoldUnacknowledged"/>: durable
    /// either way. Batches that arrive together are committed together.
    /// </summary>
    Task<IngestResult> Ingest(IReadOnlyList<EdgeSample> samples);

    /// <summary>The edge's birth or death (its last will), with the backlog and configuration it reported; returns the edge as it now stands.</summary>
    Task<EdgeSnapshot> SetStatus(EdgeReport report);

    Task<EdgeSnapshot> GetSnapshot();

    /// <summary>
    /// Stores a new desired device configuration (a JSON object, see <c>EdgeConfiguration</c>) that <paramref name="setBy"/>
    /// set, and starts its entry in the history; returns its version.
    /// </summary>
    Task<ulong> SetDesiredConfiguration(string devicesJson, ConfigurationAuthor? setBy);

    /// <summary>The desired configuration, or null when none was ever set.</summary>
    Task<DesiredConfiguration?> GetDesiredConfiguration();

    /// <summary>The last <see cref="ConfigurationHistoryEntry.Kept"/> desired versions, newest first, with what the edge did with each.</summary>
    Task<IReadOnlyList<ConfigurationHistoryEntry>> GetConfigurationHistory();
}

/// <summary>Who set a desired configuration: an audit actor's kind (<c>person</c>, <c>api-key:{id}</c>) and id (a user id, never a name).</summary>
[GenerateSerializer, Immutable]
public sealed record ConfigurationAuthor([property: Id(0)] string Kind, [property: Id(1)] string? Id);

/// <summary>
/// One desired configuration version and what became of it: applied by the edge (it reported running it), or refused
/// with the edge's errors. Neither while the edge has not answered, or when a newer version came first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConfigurationHistoryEntry(
    [property: Id(0)] ulong Version,
    [property: Id(1)] DateTimeOffset SetAt,
    [property: Id(2)] ConfigurationAuthor? SetBy)
{
    /// <summary>How many versions an edge keeps: enough for the story of a commissioning, bounded so the state stays small.</summary>
    public const int Kept = 50;

    [Id(3)] public DateTimeOffset? AppliedAt { get; init; }

    [Id(4)] public DateTimeOffset? RefusedAt { get; init; }

    /// <summary>The edge's errors when it refused the version; each names the key, e.g. <c>Edge:Devices:ModbusTcp:0:Port</c>.</summary>
    [Id(5)] public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>What an edge said on its status topic.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeReport(
    [property: Id(0)] bool Online,
    [property: Id(1)] ulong Backlog,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] ulong ConfigVersion,
    [property: Id(4)] ulong RejectedConfigVersion,
    [property: Id(5)] IReadOnlyList<string> ConfigErrors);

/// <summary>A desired device configuration and its version.</summary>
[GenerateSerializer, Immutable]
public sealed record DesiredConfiguration([property: Id(0)] ulong Version, [property: Id(1)] string DevicesJson, [property: Id(2)] DateTimeOffset SetAt);

/// <summary>A sample with the machine it belongs to.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeSample([property: Id(0)] string Machine, [property: Id(1)] MachineSample Sample);

/// <summary>What one call did: samples committed (including held ones it released), duplicates dropped, samples declared missing.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestResult([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates, [property: Id(2)] ulong MissingBefore)
{
    /// <summary>The edge's committed high-water mark after the call: every sequence up to it is committed or declared missing.</summary>
    [Id(3)] public ulong HighestSequence { get; init; }

    /// <summary>The silo of the grain that answered.</summary>
    [Id(4)] public SiloAddress? Silo { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record EdgeSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] bool Online,
    [property: Id(2)] ulong HighestSequence,
    [property: Id(3)] long SamplesAccepted,
    [property: Id(4)] long DuplicatesDropped,
    [property: Id(5)] ulong MissingSamples,
    [property: Id(6)] DateTimeOffset? LastSeen)
{
    /// <summary>Samples received beyond a hole, waiting for it to fill.</summary>
    [Id(7)] public int Held { get; init; }

    /// <summary>Samples waiting in the edge's durable queue, as the edge last reported on its status topic.</summary>
    [Id(8)] public ulong Backlog { get; init; }

    /// <summary>The version of the desired device configuration (0: none set through the cloud).</summary>
    [Id(9)] public ulong DesiredConfigVersion { get; init; }

    /// <summary>The remote configuration version the edge reported running (0: only its configuration file).</summary>
    [Id(10)] public ulong AppliedConfigVersion { get; init; }

    /// <summary>The last remote configuration version the edge refused (0: none), with its errors.</summary>
    [Id(11)] public ulong RejectedConfigVersion { get; init; }

    [Id(12)] public IReadOnlyList<string> ConfigErrors { get; init; } = [];
}
