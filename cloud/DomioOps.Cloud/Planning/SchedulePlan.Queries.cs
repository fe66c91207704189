namespace DomioOps.Cloud.Planning;

internal sealed partial class SchedulePlan
{
    /// <summary>The schedule's operations, by work centre, machine and start.</summary>
    public IReadOnlyList<ScheduledOperation> Operations()
    {
        var ops = Input.Operations;
        var result = new ScheduledOperation[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            result[i] = new ScheduledOperation(op.Id, op.OrderId, op.OrderNumber, op.PartName, op.Step, op.WorkCentreId,
                Machine[i] >= 0 ? MachineIds[Machine[i]] : null, At(Start[i]), At(Finish[i]), op.State);
        }

        Array.Sort(result, (a, b) =>
        {
            var c = string.CompareOrdinal(a.WorkCentreId, b.WorkCentreId);
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
        var last = Finish.Length == 0 ? Now : Finish.Max();
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(Math.Min(last, End)), zone).DateTime);
        var count = Math.Max(days, lastDay.DayNumber - today.DayNumber + 1);
        var bounds = new long[count + 1];
        for (var d = 0; d <= count; d++)
        {
            bounds[d] = WorkingTime.Instant(zone, today.AddDays(d), TimeOnly.MinValue);
        }

        bounds[0] = Now;
        var capacity = new long[CentreMachines.Length, count];
        var load = new long[CentreMachines.Length, count];
        for (var m = 0; m < MachineIds.Length; m++)
        {
            for (var d = 0; d < count; d++)
            {
                capacity[MachineCentre[m], d] += MachineTimes[m].WorkBetween(bounds[d], bounds[d + 1]);
            }
        }

        for (var op = 0; op < Machine.Length; op++)
        {
            var machine = Machine[op];
            if (machine < 0 || Finish[op] <= Start[op])
            {
                continue;
            }

            var d = Math.Max(0, Array.BinarySearch(bounds, Start[op]) is var found && found >= 0 ? found : ~found - 1);
            for (; d < count && bounds[d] < Finish[op]; d++)
            {
                load[MachineCentre[machine], d] += MachineTimes[machine].WorkBetween(Math.Max(Start[op], bounds[d]), Math.Min(Finish[op], bounds[d + 1]));
            }
        }

        var result = new List<CapacityDay>(CentreMachines.Length * count);
        for (var c = 0; c < CentreMachines.Length; c++)
        {
            for (var d = 0; d < count; d++)
            {
                result.Add(new CapacityDay(Input.Centres[c].Id, today.AddDays(d), TimeSpan.FromSeconds(capacity[c, d]), TimeSpan.FromSeconds(load[c, d])));
            }
        }

        return result;
    }

    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253_402_300_799));
}
