using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

/// <summary>A computed schedule: the placements, in arrays indexed like the input's operations, and what it was made from.</summary>
internal sealed partial class SchedulePlan
{
    private readonly Dictionary<string, WorkingTime> _centreTimes = new(StringComparer.Ordinal);
    private readonly List<(long Start, long End)>[] _busy;

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
        for (var c = 0; c < input.Centres.Count; c++)
        {
            var centre = input.Centres[c];
            centreIndex[centre.Id] = c;
            var calendar = previous is not null && previous._centreTimes.TryGetValue(centre.Id, out var known)
                && previous.Input.Centres.FirstOrDefault(p => p.Id == centre.Id) is { } before && SameCalendar(before.Calendar, centre.Calendar)
                ? known
                : WorkingTime.Of(centre.Calendar, input.Zone, Origin, End);
            _centreTimes[centre.Id] = calendar;
            List<string?> lanes = centre.Machines.Count == 0 ? [null] : [.. centre.Machines];
            CentreMachines[c] = new int[lanes.Count];
            for (var m = 0; m < lanes.Count; m++)
            {
                CentreMachines[c][m] = machineIds.Count;
                var id = lanes[m];
                var windows = id is not null && downs.TryGetValue(id, out var downWindows) ? downWindows : [];
                WorkingTime time;
                if (previousMachines is not null && id is not null && previousMachines.TryGetValue(id, out var previousMachine)
                    && previous!.MachineCentreIds[previousMachine] == centre.Id && ReferenceEquals(previous._centreTimes[centre.Id], calendar)
                    && previous.MachineDowns[previousMachine].SequenceEqual(windows))
                {
                    time = previous.MachineTimes[previousMachine];
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
        for (var m = 0; m < MachineIds.Length; m++)
        {
            if (MachineIds[m] is { } id)
            {
                MachineIndex[id] = m;
            }
        }

        _busy = new List<(long, long)>[MachineIds.Length];
        for (var m = 0; m < _busy.Length; m++)
        {
            _busy[m] = [];
        }

        OperationCentre = new int[ops.Count];
        Pinned = new int[ops.Count];
        Machine = new int[ops.Count];
        Start = new long[ops.Count];
        Finish = new long[ops.Count];
        Array.Fill(Machine, -1);
        for (var i = 0; i < ops.Count; i++)
        {
            OperationCentre[i] = centreIndex.TryGetValue(ops[i].WorkCentreId, out var centrePosition) ? centrePosition : -1;
            if (OperationCentre[i] < 0)
            {
                throw new ArgumentException($"Operation {ops[i].Id} is at work centre '{ops[i].WorkCentreId}', which the input lacks.", nameof(input));
            }

            Pinned[i] = ops[i].State is OperationState.Running or OperationState.Paused && ops[i].MachineId is { } running
                && MachineIndex.TryGetValue(running, out var runningMachine) && MachineCentre[runningMachine] == OperationCentre[i] ? runningMachine : -1;
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
}
