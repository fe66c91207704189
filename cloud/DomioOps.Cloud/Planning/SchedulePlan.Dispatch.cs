using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

internal sealed partial class SchedulePlan
{
    /// <summary>Each operation's predecessor (the part's previous unfinished step) and successor; -1 when none. A running or paused operation waits for nothing.</summary>
    private static (int[] Predecessor, int[] Successor) Precedence(IReadOnlyList<PlanOperation> ops)
    {
        var pred = new int[ops.Count];
        var succ = new int[ops.Count];
        Array.Fill(pred, -1);
        Array.Fill(succ, -1);
        var byPart = new int[ops.Count];
        for (var i = 0; i < byPart.Length; i++)
        {
            byPart[i] = i;
        }

        Array.Sort(byPart, (x, y) => ops[x].PartId != ops[y].PartId ? ops[x].PartId.CompareTo(ops[y].PartId) : ops[x].Step.CompareTo(ops[y].Step));
        for (var k = 1; k < byPart.Length; k++)
        {
            int before = byPart[k - 1], op = byPart[k];
            if (ops[before].PartId == ops[op].PartId && ops[op].State is not (OperationState.Running or OperationState.Paused))
            {
                pred[op] = before;
                succ[before] = op;
            }
        }

        return (pred, succ);
    }

    /// <summary>
    /// Ranks: each work centre's sequence (running, paused, then by priority, due date, order, part, step; the planner's
    /// overrides applied in the order they were made) takes the global default ranks of its operations in that order,
    /// so a work centre's sequence is honoured and work centres interleave by urgency.
    /// </summary>
    private static int[] Ranks(PlanInput input, int[] centreOf, int[] pinned, Dictionary<string, int> machines, int[] machineCentre)
    {
        var ops = input.Operations;
        var sorted = new int[ops.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = i;
        }

        Array.Sort(sorted, (x, y) =>
        {
            var left = ops[x];
            var right = ops[y];
            var comparison = Group(left).CompareTo(Group(right));
            comparison = comparison != 0 ? comparison : left.Priority.CompareTo(right.Priority);
            comparison = comparison != 0 ? comparison : left.DueDate.CompareTo(right.DueDate);
            comparison = comparison != 0 ? comparison : left.OrderId.CompareTo(right.OrderId);
            comparison = comparison != 0 ? comparison : left.PartId.CompareTo(right.PartId);
            comparison = comparison != 0 ? comparison : left.Step.CompareTo(right.Step);
            return comparison != 0 ? comparison : left.Id.CompareTo(right.Id);
        });
        var rank = new int[ops.Count];
        for (var position = 0; position < sorted.Length; position++)
        {
            rank[sorted[position]] = position;
        }

        if (input.Overrides.Count == 0)
        {
            return rank;
        }

        var index = new Dictionary<long, int>(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            index[ops[i].Id] = i;
        }

        var sequences = new Dictionary<int, List<int>>();
        foreach (var op in sorted)
        {
            if (!sequences.TryGetValue(centreOf[op], out var list))
            {
                sequences[centreOf[op]] = list = [];
            }

            list.Add(op);
        }

        foreach (var change in input.Overrides)
        {
            if (!index.TryGetValue(change.OperationId, out var op) || Group(ops[op]) < 2)
            {
                continue;
            }

            var list = sequences[centreOf[op]];
            var fixedCount = list.Count(o => Group(ops[o]) < 2);
            list.Remove(op);
            var at = change.BeforeOperationId is not { } anchor ? list.Count
                : index.TryGetValue(anchor, out var anchorOp) && centreOf[anchorOp] == centreOf[op] ? list.IndexOf(anchorOp)
                : fixedCount; // the operation it was put before has finished (or moved away): it goes first.
            list.Insert(Math.Max(at, fixedCount), op);
            if (change.MachineId is { } machine && machines.TryGetValue(machine, out var pinnedMachine) && machineCentre[pinnedMachine] == centreOf[op])
            {
                pinned[op] = pinnedMachine;
            }
        }

        var result = new int[ops.Count];
        foreach (var list in sequences.Values)
        {
            var ranks = list.Select(o => rank[o]).Order().ToArray();
            for (var j = 0; j < list.Count; j++)
            {
                result[list[j]] = ranks[j];
            }
        }

        return result;
    }

    private static int Group(PlanOperation op) => op.State switch
    {
        OperationState.Running => 0,
        OperationState.Paused => 1,
        _ => 2,
    };

    /// <summary>The placing order: always the eligible operation (its predecessor placed) of lowest rank.</summary>
    private static int[] DispatchOrder(int[] rank, int[] pred, int[] succ)
    {
        var order = new int[rank.Length];
        var queue = new PriorityQueue<int, int>(rank.Length);
        for (var i = 0; i < rank.Length; i++)
        {
            if (pred[i] < 0)
            {
                queue.Enqueue(i, rank[i]);
            }
        }

        var placed = 0;
        while (queue.TryDequeue(out var op, out _))
        {
            order[placed++] = op;
            if (succ[op] >= 0)
            {
                queue.Enqueue(succ[op], rank[succ[op]]);
            }
        }

        return order;
    }
}
