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
    [property: Id(7)] DateTimeOffset? UpdatedAt)
{
    [Id(8)] public long CycleCount { get; init; }

    /// <summary>The alarm code the machine reports, 0 when none.</summary>
    [Id(9)] public int ActiveAlarm { get; init; }

    /// <summary>Seconds spent in each state before the current one (the current one is since <see cref="StateSince"/>).</summary>
    [Id(10)] public IReadOnlyDictionary<string, double> SecondsInState { get; init; } = new Dictionary<string, double>();
}
