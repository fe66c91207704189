using System.Security.Claims;

using DomioOps.Cloud.Ingestion;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The machines board: what a card is (a machine or an energy meter) and when it is stale, and a page's
/// <see cref="LiveBoard"/> loaded from the grains (the machine directory and each machine, the edge registry and each edge)
/// and completed with what the feed cannot bring: the snapshot of an edge the board has not heard of, and the meters'
/// readings at midnight from the history.
/// </summary>
internal sealed class MachineBoard(IGrainFactory grains, EnergyToday energy, IOptions<MachinesOptions> options, TimeProvider time)
{
    public TimeProvider Time => time;

    /// <summary>
    /// An energy meter reports power or energy and never a machine state; anything else is a machine (a machine with a
    /// meter of its own reports both, and is a machine).
    /// </summary>
    public static BoardCardKind Classify(MachineSnapshot machine) =>
        !machine.Signals.ContainsKey(nameof(Signal.MachineState))
        && (machine.Signals.ContainsKey(nameof(Signal.Power)) || machine.Signals.ContainsKey(nameof(Signal.Energy)))
            ? BoardCardKind.Meter
            : BoardCardKind.Machine;

    /// <summary>Stale: its edge is offline, or it never sent a sample, or none for longer than <paramref name="staleAfter"/>.</summary>
    public static bool IsStale(DateTimeOffset? lastSample, bool edgeOnline, DateTimeOffset now, TimeSpan staleAfter) =>
        !edgeOnline || lastSample is not { } last || now - last > staleAfter;

    /// <summary>
    /// The work centre a machine belongs to. None is known yet: the board groups by it (null: one unnamed group per edge)
    /// so that when machines are assigned to work centres, this is the one place to say which.
    /// </summary>
    public static string? WorkCentreOf(MachineSnapshot machine) => null;

    /// <summary>An empty board for <paramref name="viewer"/>.</summary>
    public LiveBoard Open(ClaimsPrincipal viewer)
    {
        var current = options.Value;
        return new LiveBoard(viewer, current.StaleAfter, current.Zone());
    }

    /// <summary>Every machine and edge as the grains have them now, merged into <paramref name="board"/>, then completed.</summary>
    public async Task LoadAsync(LiveBoard board, CancellationToken cancellationToken)
    {
        var ids = await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).GetMachineIds();
        var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
        var now = time.GetUtcNow();
        foreach (var machine in snapshots.OfType<MachineSnapshot>())
        {
            board.Apply(machine, now);
        }

        if (!board.IsTerminal)
        {
            foreach (var edge in await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).List())
            {
                if (!edge.Disabled)
                {
                    board.Register(edge.Site, edge.Edge);
                }
            }
        }

        await CompleteAsync(board, cancellationToken);
    }

    /// <summary>
    /// Whether <see cref="CompleteAsync"/> has something to do: an edge the board shows but has no snapshot of, or meters
    /// whose readings at midnight are due.
    /// </summary>
    public bool NeedsCompleting(LiveBoard board) =>
        board.UnknownEdges().Count > 0 || board.ReadingsDue(time.GetUtcNow()).Meters.Count > 0;

    /// <summary>Fetches the edges <paramref name="board"/> lacks and the readings at midnight that are due.</summary>
    public async Task CompleteAsync(LiveBoard board, CancellationToken cancellationToken)
    {
        var unknown = board.UnknownEdges();
        if (unknown.Count > 0)
        {
            foreach (var edge in await Task.WhenAll(unknown.Select(e => grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(e.Site, e.Edge)).GetSnapshot())))
            {
                board.Apply(edge);
            }
        }

        var now = time.GetUtcNow();
        var (midnight, meters) = board.ReadingsDue(now);
        if (meters.Count > 0 || midnight != board.Midnight)
        {
            var readings = meters.Count > 0
                ? await energy.ReadingsAtAsync(meters, midnight, now, cancellationToken)
                : new Dictionary<string, double>();
            board.SetReadings(midnight, meters, readings, now);
        }
    }
}
