using System.Security.Claims;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The board of one open page: the machines and edges its viewer may see, merged from the grains' snapshots and the feed's
/// changes in whatever order they arrive (of two snapshots of one machine or edge, the newer stays), and the meters'
/// readings at midnight. Owned by the page's renderer: every call comes on its dispatcher. <see cref="MachineBoard"/> fills it.
/// </summary>
internal sealed class LiveBoard(ClaimsPrincipal viewer, TimeSpan staleAfter, TimeZoneInfo zone)
{
    /// <summary>How often a meter whose reading at midnight the history lacks is asked for again, at most.</summary>
    public static readonly TimeSpan ReadingRetry = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, MachineSnapshot> _machines = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Site, string Edge), EdgeSnapshot> _edges = [];
    private readonly HashSet<(string Site, string Edge)> _registered = [];
    private readonly Dictionary<string, double> _atMidnight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _asked = new(StringComparer.Ordinal);

    /// <summary>The plant's time zone.</summary>
    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The midnight the meters' readings are of; null before any were asked for.</summary>
    public DateTimeOffset? Midnight { get; private set; }

    /// <summary>A terminal sees its machines and their edges only (<see cref="TerminalScope"/>).</summary>
    public bool IsTerminal { get; } = TerminalScope.Binding(viewer) is not null;

    /// <summary>Whether the board holds <paramref name="machine"/> already, on the same edge (nothing to complete for it).</summary>
    public bool Knows(MachineSnapshot machine) =>
        _machines.TryGetValue(machine.Id, out var known) && known.Site == machine.Site && known.Edge == machine.Edge;

    /// <summary>A machine, loaded or heard; returns whether the board now looks different.</summary>
    public bool Apply(MachineSnapshot machine, DateTimeOffset now)
    {
        if (!TerminalScope.Sees(viewer, machine))
        {
            return false;
        }

        if (_machines.TryGetValue(machine.Id, out var known) && machine.UpdatedAt < known.UpdatedAt)
        {
            return false;
        }

        _machines[machine.Id] = machine;
        return known is null || known.Site != machine.Site || known.Edge != machine.Edge || Card(known, now) != Card(machine, now);
    }

    /// <summary>An edge, loaded or heard; returns whether the board now looks different.</summary>
    public bool Apply(EdgeSnapshot edge)
    {
        if (edge.Id.Split('/', 2) is not [var site, var id]
            || (IsTerminal && !_machines.Values.Any(m => m.Site == site && m.Edge == id)))
        {
            return false;
        }

        if (_edges.TryGetValue((site, id), out var known) && edge.LastSeen < known.LastSeen)
        {
            return false;
        }

        _edges[(site, id)] = edge;
        return known is null || known.Online != edge.Online || (!edge.Online && known.LastSeen != edge.LastSeen);
    }

    /// <summary>An edge of the registry: shown even before any of its machines has reported.</summary>
    public void Register(string site, string edge)
    {
        if (!IsTerminal)
        {
            _registered.Add((site, edge));
        }
    }

    /// <summary>The edges (site, edge) the board shows but has no snapshot of.</summary>
    public IReadOnlyList<(string Site, string Edge)> UnknownEdges() =>
        [.. _machines.Values.Select(m => (m.Site, m.Edge)).Concat(_registered).Distinct().Where(e => !_edges.ContainsKey(e))];

    /// <summary>
    /// The meters whose reading at midnight is to be asked for now, and that midnight: every meter once the day has turned,
    /// else each the history has not answered for yet, once a <see cref="ReadingRetry"/>.
    /// </summary>
    public (DateTimeOffset Midnight, IReadOnlyList<string> Meters) ReadingsDue(DateTimeOffset now)
    {
        var midnight = EnergyToday.Midnight(now, Zone);
        var meters = _machines.Values.Where(m => MachineBoard.Classify(m) == BoardCardKind.Meter).Select(m => m.Id);
        return midnight != Midnight
            ? (midnight, [.. meters])
            : (midnight, [.. meters.Where(m => !_atMidnight.ContainsKey(m) && (!_asked.TryGetValue(m, out var at) || now - at >= ReadingRetry))]);
    }

    /// <summary>Whether the plant's day has turned since the readings were asked for: energy today starts again.</summary>
    public bool DayTurned(DateTimeOffset now) => Midnight is { } midnight && EnergyToday.Midnight(now, Zone) != midnight;

    /// <summary>The answer to <see cref="ReadingsDue"/>: the readings the history has of the <paramref name="meters"/> asked for.</summary>
    public void SetReadings(DateTimeOffset midnight, IReadOnlyList<string> meters, IReadOnlyDictionary<string, double> readings, DateTimeOffset now)
    {
        if (midnight != Midnight)
        {
            _atMidnight.Clear();
            _asked.Clear();
            Midnight = midnight;
        }

        foreach (var meter in meters)
        {
            _asked[meter] = now;
            if (readings.TryGetValue(meter, out var value))
            {
                _atMidnight[meter] = value;
            }
        }
    }

    /// <summary>
    /// What a prerendered page hands to its live self, so the live page starts from what was shown: the machines with only
    /// the signals a card uses, the edges, the registered edges and the readings at midnight.
    /// </summary>
    public BoardSeed Seed()
    {
        string[] used = [nameof(Models.Wire.Signal.MachineState), nameof(Models.Wire.Signal.Power), nameof(Models.Wire.Signal.Energy)];
        return new BoardSeed(
            [.. _machines.Values.Select(m => m with
            {
                Signals = used.Where(m.Signals.ContainsKey).ToDictionary(s => s, s => m.Signals[s], StringComparer.Ordinal),
                SecondsInState = new Dictionary<string, double>(),
            })],
            [.. _edges.Values],
            [.. _registered.Select(e => EdgeGrain.Key(e.Site, e.Edge))],
            Midnight,
            new Dictionary<string, double>(_atMidnight, StringComparer.Ordinal));
    }

    /// <summary>Starts from what the prerendered page showed (<see cref="Seed"/>).</summary>
    public void Restore(BoardSeed seed, DateTimeOffset now)
    {
        foreach (var machine in seed.Machines)
        {
            Apply(machine, now);
        }

        foreach (var edge in seed.Edges)
        {
            Apply(edge);
        }

        foreach (var edge in seed.Registered)
        {
            if (edge.Split('/', 2) is [var site, var id])
            {
                Register(site, id);
            }
        }

        if (seed.Midnight is { } midnight)
        {
            SetReadings(midnight, [.. seed.Readings.Keys], seed.Readings, now);
        }
    }

    /// <summary>The board at <paramref name="now"/>: sites, their edges, their work centres' cards, each in order.</summary>
    public IReadOnlyList<BoardSite> View(DateTimeOffset now)
    {
        var byEdge = _machines.Values.ToLookup(m => (m.Site, m.Edge));
        var shown = byEdge.Select(g => g.Key).Concat(_registered).Concat(_edges.Keys).Distinct();
        return
        [
            .. shown.GroupBy(e => e.Site).OrderBy(s => s.Key, StringComparer.Ordinal).Select(site => new BoardSite(
                site.Key,
                [
                    .. site.OrderBy(e => e.Edge, StringComparer.Ordinal).Select(e => new BoardEdge(
                        e.Site,
                        e.Edge,
                        _edges.GetValueOrDefault(e)?.Online == true,
                        _edges.GetValueOrDefault(e)?.LastSeen,
                        [
                            .. byEdge[e].GroupBy(MachineBoard.WorkCentreOf)
                                .OrderBy(g => g.Key is not null)
                                .ThenBy(g => g.Key, StringComparer.Ordinal)
                                .Select(g => new BoardGroup(g.Key, [.. g.Select(m => Card(m, now)).OrderBy(c => c.Kind).ThenBy(c => c.Id, StringComparer.Ordinal)])),
                        ])),
                ])),
        ];
    }

    /// <summary>The card of one machine at <paramref name="now"/>.</summary>
    public BoardCard Card(MachineSnapshot machine, DateTimeOffset now)
    {
        var edgeOnline = _edges.GetValueOrDefault((machine.Site, machine.Edge))?.Online == true;
        var stale = MachineBoard.IsStale(machine.UpdatedAt, edgeOnline, now, staleAfter);
        var lastSeen = stale ? machine.UpdatedAt : null;
        if (MachineBoard.Classify(machine) == BoardCardKind.Meter)
        {
            var energy = EnergyToday.Since(Value(machine, nameof(Models.Wire.Signal.Energy)), _atMidnight.TryGetValue(machine.Id, out var reading) ? reading : null);
            return new BoardCard(machine.Id, BoardCardKind.Meter, null, null, null, 0, 0, Value(machine, nameof(Models.Wire.Signal.Power)), energy, edgeOnline, stale, lastSeen);
        }

        // A machine that reports no state (a counter alone) has none to show, rather than the grain's initial Offline.
        var reportsState = machine.Signals.ContainsKey(nameof(Models.Wire.Signal.MachineState));
        TimeSpan? inState = reportsState && machine.StateSince is { } since
            ? TimeSpan.FromSeconds(Math.Max(0, Math.Floor(((stale ? machine.UpdatedAt ?? now : now) - since).TotalSeconds)))
            : null;
        return new BoardCard(machine.Id, BoardCardKind.Machine, reportsState ? machine.State : null, reportsState ? machine.StateSince : null, inState, machine.PieceCount, machine.ActiveAlarm, null, null, edgeOnline, stale, lastSeen);
    }

    private static double? Value(MachineSnapshot machine, string signal) => machine.Signals.TryGetValue(signal, out var value) ? value : null;
}
