using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

/// <summary>
/// The finite forward scheduler, pure and in memory. Every not-finished operation is placed on a machine of its work
/// centre: running and paused operations first, on their machine; then the rest in dispatch order — by priority, due
/// date, order, part and step, as each work centre's sequence has them after the planner's overrides — an operation
/// becoming eligible once the step before it is placed (routing precedence). Each goes into the earliest gap of the
/// machine (of its work centre's machines) where it finishes first, starting no earlier than now and the end of its
/// previous step, working only in the machine's working time (shifts without breaks, holidays, planned maintenance and
/// open breakdowns), one operation per machine at a time. Its work is its set-up (unless started) plus the remaining
/// pieces at the cycle time.
/// </summary>
/// <remarks>
/// The dispatch order depends on ranks and precedence only, never on times; so a reschedule keeps every placement
/// before the first operation that a change can affect (<see cref="Replan"/>) and re-places only from there.
/// </remarks>
internal static class Scheduler
{
    private const int MaxHorizonDoublings = 5;

    /// <summary>Schedules <paramref name="input"/> from scratch.</summary>
    public static SchedulePlan Plan(PlanInput input) => Replan(null, input);

    /// <summary>
    /// Schedules <paramref name="input"/>, reusing from <paramref name="previous"/> the calendars, the machines whose
    /// down windows did not change, and every placement before the first operation the change can affect: one whose
    /// inputs, predecessor or dispatch position changed, that would start before the new now, or whose work centre's
    /// machines changed availability before its planned end. The result equals <see cref="Plan"/>'s.
    /// </summary>
    public static SchedulePlan Replan(SchedulePlan? previous, PlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var horizon = input.Horizon;
        for (int attempt = 0; ; attempt++)
        {
            var plan = new SchedulePlan(input, horizon, previous);
            if (plan.TryPlace() || attempt == MaxHorizonDoublings)
            {
                return plan;
            }

            // The load runs past the horizon: lay the calendars out twice as far and start again.
            horizon *= 2;
            previous = null;
        }
    }
}

/// <summary>A computed schedule: the placements, in arrays indexed like the input's operations, and what it was made from.</summary>
internal sealed class SchedulePlan
{
    private readonly Dictionary<string, WorkingTime> centreTimes = new(StringComparer.Ordinal);
    private readonly List<(long Start, long End)>[] busy;

    internal SchedulePlan(PlanInput input, TimeSpan horizon, SchedulePlan? previous)
    {
        Input = input;
        Horizon = horizon;
        Now = input.Now.ToUnixTimeSeconds();
        // Calendars laid out from the start of the UTC day before now, so they are reused through the day.
        Origin = (Now / 86_400 * 86_400) - 86_400;
        End = Origin + (long)horizon.TotalSeconds + 86_400;
        if (previous is not null && (previous.Origin != Origin || previous.End != End))
        {
            previous = null;
        }

        // Machines: each work centre's, or one lane for a work centre without machines.
        var ops = input.Operations;
        var centreIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var machineIds = new List<string?>();
        var machineCentre = new List<int>();
        var machineTimes = new List<WorkingTime>();
        CentreMachines = new int[input.Centres.Count][];
        var downs = input.Downs.GroupBy(d => d.MachineId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(d => (d.From.ToUnixTimeSeconds(), d.To.ToUnixTimeSeconds())).OrderBy(w => w).ToList(), StringComparer.Ordinal);
        var previousMachines = previous is null ? null : previous.MachineIndex;
        for (int c = 0; c < input.Centres.Count; c++)
        {
            var centre = input.Centres[c];
            centreIndex[centre.Id] = c;
            var calendar = previous is not null && previous.centreTimes.TryGetValue(centre.Id, out var known)
                && previous.Input.Centres.FirstOrDefault(p => p.Id == centre.Id) is { } before && SameCalendar(before.Calendar, centre.Calendar)
                ? known
                : WorkingTime.Of(centre.Calendar, input.Zone, Origin, End);
            centreTimes[centre.Id] = calendar;
            List<string?> lanes = centre.Machines.Count == 0 ? [null] : [.. centre.Machines];
            CentreMachines[c] = new int[lanes.Count];
            for (int m = 0; m < lanes.Count; m++)
            {
                CentreMachines[c][m] = machineIds.Count;
                string? id = lanes[m];
                var windows = id is not null && downs.TryGetValue(id, out var w) ? w : [];
                WorkingTime time;
                if (previousMachines is not null && id is not null && previousMachines.TryGetValue(id, out int p)
                    && previous!.MachineCentreIds[p] == centre.Id && ReferenceEquals(previous.centreTimes[centre.Id], calendar)
                    && previous.MachineDowns[p].SequenceEqual(windows))
                {
                    time = previous.MachineTimes[p];
                }
                else
                {
                    time = calendar.Without(windows);
                }

                machineIds.Add(id);
                machineCentre.Add(c);
                machineTimes.Add(time);
                MachineDowns.Add(windows);
                MachineCentreIds.Add(centre.Id);
            }
        }

        MachineIds = [.. machineIds];
        MachineCentre = [.. machineCentre];
        MachineTimes = [.. machineTimes];
        MachineIndex = [];
        for (int m = 0; m < MachineIds.Length; m++)
        {
            if (MachineIds[m] is { } id)
            {
                MachineIndex[id] = m;
            }
        }

        busy = new List<(long, long)>[MachineIds.Length];
        for (int m = 0; m < busy.Length; m++)
        {
            busy[m] = [];
        }

        OperationCentre = new int[ops.Count];
        Pinned = new int[ops.Count];
        Machine = new int[ops.Count];
        Start = new long[ops.Count];
        Finish = new long[ops.Count];
        Array.Fill(Machine, -1);
        for (int i = 0; i < ops.Count; i++)
        {
            OperationCentre[i] = centreIndex.TryGetValue(ops[i].WorkCentreId, out int c) ? c : -1;
            if (OperationCentre[i] < 0)
            {
                throw new ArgumentException($"Operation {ops[i].Id} is at work centre '{ops[i].WorkCentreId}', which the input lacks.", nameof(input));
            }

            Pinned[i] = ops[i].State is OperationState.Running or OperationState.Paused && ops[i].MachineId is { } running
                && MachineIndex.TryGetValue(running, out int m) && MachineCentre[m] == OperationCentre[i] ? m : -1;
        }

        (Predecessor, Successor) = Precedence(ops);
        Rank = Ranks(input, OperationCentre, Pinned, MachineIndex, MachineCentre);
        Order = DispatchOrder(Rank, Predecessor, Successor);
        Previous = previous;
    }

    public PlanInput Input { get; }

    public TimeSpan Horizon { get; }

    /// <summary>Now, the origin of the calendars and their end, in Unix seconds.</summary>
    public long Now { get; }

    public long Origin { get; }

    public long End { get; }

    public string?[] MachineIds { get; }

    public int[] MachineCentre { get; }

    public WorkingTime[] MachineTimes { get; }

    public int[][] CentreMachines { get; }

    /// <summary>Per operation (indexed like <see cref="PlanInput.Operations"/>): its work centre, its pinned machine (-1: any), placement.</summary>
    public int[] OperationCentre { get; }

    public int[] Pinned { get; }

    public int[] Machine { get; }

    public long[] Start { get; }

    public long[] Finish { get; }

    public int[] Predecessor { get; }

    public int[] Successor { get; }

    public int[] Rank { get; }

    /// <summary>Operation indexes in the order they were placed.</summary>
    public int[] Order { get; }

    /// <summary>How many placements were kept from the previous schedule.</summary>
    public int Reused { get; private set; }

    private Dictionary<string, int> MachineIndex { get; }

    private List<List<(long, long)>> MachineDowns { get; } = [];

    private List<string> MachineCentreIds { get; } = [];

    private SchedulePlan? Previous { get; set; }

    internal bool TryPlace()
    {
        var ops = Input.Operations;
        int first = Previous is null ? 0 : FirstAffected(Previous);
        var previous = Previous;
        Previous = null;
        if (first > 0)
        {
            var previousIndex = new Dictionary<long, int>(previous!.Input.Operations.Count);
            for (int i = 0; i < previous.Input.Operations.Count; i++)
            {
                previousIndex[previous.Input.Operations[i].Id] = i;
            }

            for (int k = 0; k < first; k++)
            {
                int op = Order[k];
                int p = previousIndex[ops[op].Id];
                int machine = MachineIndex.GetValueOrDefault(previous.MachineIds[previous.Machine[p]] ?? "", -1);
                if (machine < 0)
                {
                    machine = CentreMachines[OperationCentre[op]][0];
                }

                (Machine[op], Start[op], Finish[op]) = (machine, previous.Start[p], previous.Finish[p]);
                busy[machine].Add((Start[op], Finish[op]));
            }

            foreach (var list in busy)
            {
                list.Sort();
            }
        }

        Reused = first;
        for (int k = first; k < Order.Length; k++)
        {
            int op = Order[k];
            long release = Predecessor[op] >= 0 ? Math.Max(Now, Finish[Predecessor[op]]) : Now;
            long work = ops[op].WorkSeconds;
            int bestMachine = -1;
            long bestStart = long.MaxValue, bestEnd = long.MaxValue;
            int bestSlot = 0;
            int[] candidates = Pinned[op] >= 0 ? [Pinned[op]] : CentreMachines[OperationCentre[op]];
            foreach (int m in candidates)
            {
                var (s, e, slot) = EarliestSlot(m, release, work);
                if (e < bestEnd || (e == bestEnd && s < bestStart))
                {
                    (bestMachine, bestStart, bestEnd, bestSlot) = (m, s, e, slot);
                }
            }

            if (bestEnd == long.MaxValue)
            {
                // Past the horizon: the caller lays the calendars out further and starts again.
                return false;
            }

            busy[bestMachine].Insert(bestSlot, (bestStart, bestEnd));
            (Machine[op], Start[op], Finish[op]) = (bestMachine, bestStart, bestEnd);
        }

        return true;
    }

    /// <summary>The earliest [start, end) on machine <paramref name="m"/> from <paramref name="release"/> that fits <paramref name="work"/> between its placed operations, and where it goes in its list.</summary>
    private (long Start, long End, int Slot) EarliestSlot(int m, long release, long work)
    {
        var list = busy[m];
        var time = MachineTimes[m];
        // The first placed operation ending after the release.
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (list[mid].End <= release)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        long t = release;
        for (int i = lo; ; i++)
        {
            long s = time.NextWorking(t);
            if (s == long.MaxValue)
            {
                return (long.MaxValue, long.MaxValue, i);
            }

            long e = work == 0 ? s : time.Advance(s, work);
            if (i == list.Count || e <= list[i].Start)
            {
                return (s, e, i);
            }

            t = Math.Max(t, list[i].End);
        }
    }

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
        for (int m = 0; m < MachineIds.Length; m++)
        {
            changedFrom[m] = MachineIds[m] is { } id && previous.MachineIndex.TryGetValue(id, out int p) && previous.MachineCentreIds[p] == MachineCentreIds[m]
                ? FirstDifference(previous.MachineTimes[p], MachineTimes[m])
                : long.MinValue;
            if (MachineIds[m] is null)
            {
                changedFrom[m] = ReferenceEquals(previous.centreTimes.GetValueOrDefault(MachineCentreIds[m]), centreTimes[MachineCentreIds[m]]) ? long.MaxValue : long.MinValue;
            }
        }

        var centreChangedFrom = new long[CentreMachines.Length];
        for (int c = 0; c < CentreMachines.Length; c++)
        {
            centreChangedFrom[c] = CentreMachines[c].Length == previous.CentreMachines.ElementAtOrDefault(c)?.Length
                && Input.Centres[c].Id == previous.Input.Centres.ElementAtOrDefault(c)?.Id
                ? CentreMachines[c].Min(m => changedFrom[m])
                : long.MinValue;
        }

        int limit = Math.Min(Order.Length, previous.Order.Length);
        for (int k = 0; k < limit; k++)
        {
            int op = Order[k], p = previous.Order[k];
            if (ops[op] != was[p]
                || (Pinned[op] < 0 ? null : MachineIds[Pinned[op]]) != (previous.Pinned[p] < 0 ? null : previous.MachineIds[previous.Pinned[p]])
                || (Predecessor[op] < 0 ? -1 : ops[Predecessor[op]].Id) != (previous.Predecessor[p] < 0 ? -1 : was[previous.Predecessor[p]].Id)
                || previous.Start[p] < Now
                || centreChangedFrom[OperationCentre[op]] < previous.Finish[p])
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

        int n = Math.Min(a.Count, b.Count);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return Math.Min(a[i].Start, b[i].Start);
            }
        }

        return a.Count == b.Count ? long.MaxValue : n < a.Count ? a[n].Start : b[n].Start;
    }

    private static bool SameCalendar(WorkCalendar a, WorkCalendar b) =>
        ReferenceEquals(a, b)
        || (a.Holidays.SequenceEqual(b.Holidays) && a.Shifts.Count == b.Shifts.Count
            && a.Shifts.Zip(b.Shifts).All(p => p.First.Start == p.Second.Start && p.First.End == p.Second.End
                && p.First.Days.SequenceEqual(p.Second.Days) && p.First.Breaks.SequenceEqual(p.Second.Breaks)));

    /// <summary>Each operation's predecessor (the part's previous unfinished step) and successor; -1 when none. A running or paused operation waits for nothing.</summary>
    private static (int[] Predecessor, int[] Successor) Precedence(IReadOnlyList<PlanOperation> ops)
    {
        var pred = new int[ops.Count];
        var succ = new int[ops.Count];
        Array.Fill(pred, -1);
        Array.Fill(succ, -1);
        var byPart = new int[ops.Count];
        for (int i = 0; i < byPart.Length; i++)
        {
            byPart[i] = i;
        }

        Array.Sort(byPart, (x, y) => ops[x].PartId != ops[y].PartId ? ops[x].PartId.CompareTo(ops[y].PartId) : ops[x].Step.CompareTo(ops[y].Step));
        for (int k = 1; k < byPart.Length; k++)
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
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = i;
        }

        Array.Sort(sorted, (x, y) =>
        {
            var a = ops[x];
            var b = ops[y];
            int c = Group(a).CompareTo(Group(b));
            c = c != 0 ? c : a.Priority.CompareTo(b.Priority);
            c = c != 0 ? c : a.DueDate.CompareTo(b.DueDate);
            c = c != 0 ? c : a.OrderId.CompareTo(b.OrderId);
            c = c != 0 ? c : a.PartId.CompareTo(b.PartId);
            c = c != 0 ? c : a.Step.CompareTo(b.Step);
            return c != 0 ? c : a.Id.CompareTo(b.Id);
        });
        var rank = new int[ops.Count];
        for (int r = 0; r < sorted.Length; r++)
        {
            rank[sorted[r]] = r;
        }

        if (input.Overrides.Count == 0)
        {
            return rank;
        }

        var index = new Dictionary<long, int>(ops.Count);
        for (int i = 0; i < ops.Count; i++)
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
            if (!index.TryGetValue(change.OperationId, out int op) || Group(ops[op]) < 2)
            {
                continue;
            }

            var list = sequences[centreOf[op]];
            int fixedCount = list.Count(o => Group(ops[o]) < 2);
            list.Remove(op);
            int at = change.BeforeOperationId is not { } anchor ? list.Count
                : index.TryGetValue(anchor, out int a) && centreOf[a] == centreOf[op] ? list.IndexOf(a)
                : fixedCount; // the operation it was put before has finished (or moved away): it goes first.
            list.Insert(Math.Max(at, fixedCount), op);
            if (change.MachineId is { } machine && machines.TryGetValue(machine, out int m) && machineCentre[m] == centreOf[op])
            {
                pinned[op] = m;
            }
        }

        var result = new int[ops.Count];
        foreach (var list in sequences.Values)
        {
            var ranks = list.Select(o => rank[o]).Order().ToArray();
            for (int j = 0; j < list.Count; j++)
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
        for (int i = 0; i < rank.Length; i++)
        {
            if (pred[i] < 0)
            {
                queue.Enqueue(i, rank[i]);
            }
        }

        int n = 0;
        while (queue.TryDequeue(out int op, out _))
        {
            order[n++] = op;
            if (succ[op] >= 0)
            {
                queue.Enqueue(succ[op], rank[succ[op]]);
            }
        }

        return order;
    }

    /// <summary>The schedule's operations, by work centre, machine and start.</summary>
    public IReadOnlyList<ScheduledOperation> Operations()
    {
        var ops = Input.Operations;
        var result = new ScheduledOperation[ops.Count];
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            result[i] = new ScheduledOperation(op.Id, op.OrderId, op.OrderNumber, op.PartName, op.Step, op.WorkCentreId,
                Machine[i] >= 0 ? MachineIds[Machine[i]] : null, At(Start[i]), At(Finish[i]), op.State);
        }

        Array.Sort(result, (a, b) =>
        {
            int c = string.CompareOrdinal(a.WorkCentreId, b.WorkCentreId);
            c = c != 0 ? c : string.CompareOrdinal(a.MachineId, b.MachineId);
            c = c != 0 ? c : a.Start.CompareTo(b.Start);
            return c != 0 ? c : a.OperationId.CompareTo(b.OperationId);
        });
        return result;
    }

    /// <summary>
    /// Capacity and load per work centre and plant-local day, from today (capacity from now on) for
    /// <paramref name="days"/> days, or to the last day anything is planned on. Capacity: the working seconds of its
    /// machines (shifts without breaks and holidays, minus planned maintenance and open breakdowns); load: the working
    /// seconds of the operations placed on them within the day.
    /// </summary>
    public IReadOnlyList<CapacityDay> Capacity(int days = 56)
    {
        var zone = Input.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Input.Now, zone).DateTime);
        long last = Finish.Length == 0 ? Now : Finish.Max();
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(Math.Min(last, End)), zone).DateTime);
        int count = Math.Max(days, lastDay.DayNumber - today.DayNumber + 1);
        var bounds = new long[count + 1];
        for (int d = 0; d <= count; d++)
        {
            bounds[d] = WorkingTime.Instant(zone, today.AddDays(d), TimeOnly.MinValue);
        }

        bounds[0] = Now;
        var capacity = new long[CentreMachines.Length, count];
        var load = new long[CentreMachines.Length, count];
        for (int m = 0; m < MachineIds.Length; m++)
        {
            for (int d = 0; d < count; d++)
            {
                capacity[MachineCentre[m], d] += MachineTimes[m].WorkBetween(bounds[d], bounds[d + 1]);
            }
        }

        for (int op = 0; op < Machine.Length; op++)
        {
            int m = Machine[op];
            if (m < 0 || Finish[op] <= Start[op])
            {
                continue;
            }

            int d = Math.Max(0, Array.BinarySearch(bounds, Start[op]) is var found && found >= 0 ? found : ~found - 1);
            for (; d < count && bounds[d] < Finish[op]; d++)
            {
                load[MachineCentre[m], d] += MachineTimes[m].WorkBetween(Math.Max(Start[op], bounds[d]), Math.Min(Finish[op], bounds[d + 1]));
            }
        }

        var result = new List<CapacityDay>(CentreMachines.Length * count);
        for (int c = 0; c < CentreMachines.Length; c++)
        {
            for (int d = 0; d < count; d++)
            {
                result.Add(new CapacityDay(Input.Centres[c].Id, today.AddDays(d), TimeSpan.FromSeconds(capacity[c, d]), TimeSpan.FromSeconds(load[c, d])));
            }
        }

        return result;
    }

    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253_402_300_799));
}
