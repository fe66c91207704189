using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

internal sealed partial class SchedulePlan
{
    /// <summary>The first position in <see cref="Order"/> whose placement the change from <paramref name="previous"/> can affect.</summary>
    private int FirstAffected(SchedulePlan previous)
    {
        if (Now < previous.Now)
        {
            return 0;
        }

        var ops = Input.Operations;
        var was = previous.Input.Operations;
        // Per machine (by id), the first instant its working time differs.
        var changedFrom = new long[MachineIds.Length];
        for (var m = 0; m < MachineIds.Length; m++)
        {
            changedFrom[m] = MachineIds[m] is { } id && previous.MachineIndex.TryGetValue(id, out var previousMachine) && previous.MachineCentreIds[previousMachine] == MachineCentreIds[m]
                ? FirstDifference(previous.MachineTimes[previousMachine], MachineTimes[m])
                : long.MinValue;
            if (MachineIds[m] is null)
            {
                changedFrom[m] = ReferenceEquals(previous._centreTimes.GetValueOrDefault(MachineCentreIds[m]), _centreTimes[MachineCentreIds[m]]) ? long.MaxValue : long.MinValue;
            }
        }

        var centreChangedFrom = new long[CentreMachines.Length];
        for (var c = 0; c < CentreMachines.Length; c++)
        {
            centreChangedFrom[c] = CentreMachines[c].Length == previous.CentreMachines.ElementAtOrDefault(c)?.Length
                && Input.Centres[c].Id == previous.Input.Centres.ElementAtOrDefault(c)?.Id
                ? CentreMachines[c].Min(m => changedFrom[m])
                : long.MinValue;
        }

        var limit = Math.Min(Order.Length, previous.Order.Length);
        for (var k = 0; k < limit; k++)
        {
            int op = Order[k], previousOp = previous.Order[k];
            if (ops[op] != was[previousOp]
                || (Pinned[op] < 0 ? null : MachineIds[Pinned[op]]) != (previous.Pinned[previousOp] < 0 ? null : previous.MachineIds[previous.Pinned[previousOp]])
                || (Predecessor[op] < 0 ? -1 : ops[Predecessor[op]].Id) != (previous.Predecessor[previousOp] < 0 ? -1 : was[previous.Predecessor[previousOp]].Id)
                || previous.Start[previousOp] < Now
                || centreChangedFrom[OperationCentre[op]] < previous.Finish[previousOp])
            {
                return k;
            }
        }

        return limit;
    }

    private static long FirstDifference(WorkingTime a, WorkingTime b)
    {
        if (ReferenceEquals(a, b))
        {
            return long.MaxValue;
        }

        var common = Math.Min(a.Count, b.Count);
        for (var i = 0; i < common; i++)
        {
            if (a[i] != b[i])
            {
                return Math.Min(a[i].Start, b[i].Start);
            }
        }

        return a.Count == b.Count ? long.MaxValue : common < a.Count ? a[common].Start : b[common].Start;
    }

    private static bool SameCalendar(WorkCalendar a, WorkCalendar b) =>
        ReferenceEquals(a, b)
        || (a.Holidays.SequenceEqual(b.Holidays) && a.Shifts.Count == b.Shifts.Count
            && a.Shifts.Zip(b.Shifts).All(p => p.First.Start == p.Second.Start && p.First.End == p.Second.End
                && p.First.Days.SequenceEqual(p.Second.Days) && p.First.Breaks.SequenceEqual(p.Second.Breaks)));
}
