namespace DomioOps.Cloud.Machines;

/// <summary>The live state of one machine, as the API and the hub show it.</summary>
[GenerateSerializer, Immutable]
public sealed record MachineSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Site,
    [property: Id(2)] string Edge,
    [property: Id(3)] string State,
    [property: Id(4)] DateTimeOffset? StateSince,
    [property: Id(5)] long PieceCount,
    [property: Id(6)] IReadOnlyDictionary<string, double> Signals,
    [property: Id(7)] DateTimeOffset? UpdatedAt);
