namespace DomioOps.Cloud.Machines;

/// <summary>What a card of the board shows: a machine (state, pieces, alarm) or an energy meter (power, energy today).</summary>
internal enum BoardCardKind
{
    Machine,
    Meter,
}

/// <summary>One site of the plant, its edges in order.</summary>
internal sealed record BoardSite(string Site, IReadOnlyList<BoardEdge> Edges);

/// <summary>One edge and the machines it reads, in groups by work centre.</summary>
/// <param name="LastSeen">When the edge last reported its status; shown while it is offline.</param>
internal sealed record BoardEdge(string Site, string Edge, bool Online, DateTimeOffset? LastSeen, IReadOnlyList<BoardGroup> Groups);

/// <summary>The machines of one work centre, machines before meters; <paramref name="WorkCentre"/> null: not known.</summary>
internal sealed record BoardGroup(string? WorkCentre, IReadOnlyList<BoardCard> Cards);

/// <summary>
/// One card as it stands at one moment. Equal cards look the same, so a change that leaves its card equal needs no render.
/// </summary>
/// <param name="State">The machine's state (a <c>MachineState</c> name); null for a meter.</param>
/// <param name="StateSince">When the state began, by the edge's clock.</param>
/// <param name="TimeInState">Since the state began: up to now, or, when stale, up to the last sample.</param>
/// <param name="Alarm">The active alarm code, 0 when none.</param>
/// <param name="PowerKw">A meter's power now, kW.</param>
/// <param name="EnergyTodayKwh">A meter's energy since the plant's midnight, kWh; null while its reading at midnight is unknown.</param>
/// <param name="Stale">The edge is offline or no sample came for longer than <see cref="MachinesOptions.StaleAfter"/>.</param>
/// <param name="LastSeen">The last sample's time, set only when stale.</param>
internal sealed record BoardCard(
    string Id,
    BoardCardKind Kind,
    string? State,
    DateTimeOffset? StateSince,
    TimeSpan? TimeInState,
    long Pieces,
    int Alarm,
    double? PowerKw,
    double? EnergyTodayKwh,
    bool EdgeOnline,
    bool Stale,
    DateTimeOffset? LastSeen);

/// <summary>A board as a prerendered page hands it to its live self (<see cref="LiveBoard.Seed"/>).</summary>
internal sealed record BoardSeed(
    IReadOnlyList<MachineSnapshot> Machines,
    IReadOnlyList<Ingestion.EdgeSnapshot> Edges,
    IReadOnlyList<string> Registered,
    DateTimeOffset? Midnight,
    IReadOnlyDictionary<string, double> Readings);
