namespace DomioOps.Cloud.Planning;

internal sealed partial class SchedulePlan
{
    internal bool TryPlace()
    {
        var ops = Input.Operations;
        var first = Previous is null ? 0 : FirstAffected(Previous);
        var previous = Previous;
        Previous = null;
        if (first > 0)
        {
            var previousIndex = new Dictionary<long, int>(previous!.Input.Operations.Count);
            for (var i = 0; i < previous.Input.Operations.Count; i++)
            {
                previousIndex[previous.Input.Operations[i].Id] = i;
            }

            for (var k = 0; k < first; k++)
            {
                var op = Order[k];
                var previousOp = previousIndex[ops[op].Id];
                var machine = MachineIndex.GetValueOrDefault(previous.MachineIds[previous.Machine[previousOp]] ?? "", -1);
                if (machine < 0)
                {
                    machine = CentreMachines[OperationCentre[op]][0];
                }

                (Machine[op], Start[op], Finish[op]) = (machine, previous.Start[previousOp], previous.Finish[previousOp]);
                _busy[machine].Add((Start[op], Finish[op]));
            }

            foreach (var list in _busy)
            {
                list.Sort();
            }
        }

        Reused = first;
        for (var k = first; k < Order.Length; k++)
        {
            var op = Order[k];
            var release = Predecessor[op] >= 0 ? Math.Max(Now, Finish[Predecessor[op]]) : Now;
            var work = ops[op].WorkSeconds;
            var bestMachine = -1;
            long bestStart = long.MaxValue, bestEnd = long.MaxValue;
            var bestSlot = 0;
            var candidates = Pinned[op] >= 0 ? [Pinned[op]] : CentreMachines[OperationCentre[op]];
            foreach (var candidate in candidates)
            {
                var (start, end, slot) = EarliestSlot(candidate, release, work);
                if (end < bestEnd || (end == bestEnd && start < bestStart))
                {
                    (bestMachine, bestStart, bestEnd, bestSlot) = (candidate, start, end, slot);
                }
            }

            if (bestEnd == long.MaxValue)
            {
                // Past the horizon: the caller lays the calendars out further and starts again.
                return false;
            }

            _busy[bestMachine].Insert(bestSlot, (bestStart, bestEnd));
            (Machine[op], Start[op], Finish[op]) = (bestMachine, bestStart, bestEnd);
        }

        return true;
    }

    /// <summary>The earliest [start, end) on <paramref name="machine"/> from <paramref name="release"/> that fits <paramref name="work"/> between its placed operations, and where it goes in its list.</summary>
    private (long Start, long End, int Slot) EarliestSlot(int machine, long release, long work)
    {
        var list = _busy[machine];
        var time = MachineTimes[machine];
        // The first placed operation ending after the release.
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].End <= release)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var from = release;
        for (var i = lo; ; i++)
        {
            var start = time.NextWorking(from);
            if (start == long.MaxValue)
            {
                return (long.MaxValue, long.MaxValue, i);
            }

            var end = work == 0 ? start : time.Advance(start, work);
            if (i == list.Count || end <= list[i].Start)
            {
                return (start, end, i);
            }

            from = Math.Max(from, list[i].End);
        }
    }
}
