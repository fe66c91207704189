using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>One sample of one signal, as the grains pass it on. <see cref="Sequence"/> is the edge's queue sequence.</summary>
[GenerateSerializer, Immutable]
public sealed record MachineSample(
    [property: Id(0)] ulong Sequence,
    [property: Id(1)] Signal Signal,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] double? Number,
    [property: Id(4)] string? Text);
