using DomioOps.Cloud.Machines;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Production;

/// <summary>
/// Operations as views (with their part, order and work centres) and what each machine counted for them, read from
/// the machines' live piece counts: the count is derived, never written per piece, so no replay can add to it twice.
/// </summary>
internal static class ShopFloorQuery
{
    /// <summary>The running order of a work queue: what runs, what is paused, what may start, then what waits; by urgency and due date.</summary>
    public static IOrderedQueryable<Operation> InQueueOrder(this IQueryable<Operation> operations, ProductionDbContext db) =>
        operations
            .OrderBy(o => o.State == OperationState.Running ? 0 : o.State == OperationState.Paused ? 1 : o.State == OperationState.Ready ? 2 : 3)
            .ThenBy(o => db.Orders.Where(order => order.Id == o.OrderId).Select(order => order.Priority).First())
            .ThenBy(o => db.Orders.Where(order => order.Id == o.OrderId).Select(order => order.DueDate).First())
            .ThenBy(o => o.OrderId)
            .ThenBy(o => o.PartId)
            .ThenBy(o => o.Step);

    public static async Task<List<OperationView>> ViewsAsync(IQueryable<Operation> operations, ProductionDbContext db, IGrainFactory grains, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await (
            from op in operations
            join part in db.Parts on op.PartId equals part.Id
            join order in db.Orders on op.OrderId equals order.Id
            join centre in db.WorkCentres on op.WorkCentreId equals centre.Id
            select new
            {
                Operation = op,
                Part = part,
                order.Number,
                order.Customer,
                order.DueDate,
                order.Priority,
                CentreName = centre.Name,
                Steps = db.Operations.Count(o => o.PartId == op.PartId),
                Next = (from next in db.Operations
                        join nextCentre in db.WorkCentres on next.WorkCentreId equals nextCentre.Id
                        where next.PartId == op.PartId && next.Step == op.Step + 1
                        select nextCentre.Name).FirstOrDefault(),
            }).AsNoTracking().ToListAsync(ct);
        var counts = await PieceCountsAsync(grains, rows.Where(r => r.Operation.State == OperationState.Running).Select(r => r.Operation.MachineId!));
        return [.. rows.Select(r => View(r.Operation, r.Part, r.Number, r.Customer, r.DueDate, r.Priority, r.CentreName, r.Steps, r.Next,
            r.Operation.MachineId is { } machine ? counts.GetValueOrDefault(machine) : 0, now))];
    }

    /// <summary>An operation's view after a change: its part, order and routing as <paramref name="before"/>, its state and quantities now.</summary>
    public static OperationView Now(OperationView before, Operation op, long pieceCount, DateTimeOffset now) => before with
    {
        State = op.State,
        MachineId = op.MachineId,
        Good = op.Good,
        Scrap = op.Scrap,
        Remaining = op.Remaining,
        Counted = op.Counted(pieceCount),
        CountedClosed = op.CountedClosed,
        CounterBaseline = op.CounterBaseline,
        RunSeconds = op.RunTimeAt(now).TotalSeconds,
        RunningSince = op.RunningSince,
    };

    /// <summary>Each machine's piece count as the cloud holds it (0 for a machine that never reported).</summary>
    public static async Task<Dictionary<string, long>> PieceCountsAsync(IGrainFactory grains, IEnumerable<string> machineIds)
    {
        var ids = machineIds.Distinct(StringComparer.Ordinal).ToList();
        var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
        return ids.Zip(snapshots).ToDictionary(pair => pair.First, pair => pair.Second?.PieceCount ?? 0, StringComparer.Ordinal);
    }

    private static OperationView View(Operation op, Part part, string number, string customer, DateOnly due, int priority,
        string centreName, int steps, string? next, long pieceCount, DateTimeOffset now) => new(
        op.Id, op.OrderId, number, customer, due, priority, part.Id, part.Name, part.Material, part.Thickness, part.Length, part.Width,
        part.Grain, new PartEdges(part.EdgeL1, part.EdgeL2, part.EdgeW1, part.EdgeW2), part.Program, op.Step, steps,
        op.WorkCentreId, centreName, next, op.State, op.MachineId, op.Planned, op.Good, op.Scrap, op.Remaining,
        op.Counted(pieceCount), op.CountedClosed, op.CounterBaseline, op.RunTimeAt(now).TotalSeconds, op.RunningSince,
        op.SetupMinutes, op.CycleSeconds);
}
