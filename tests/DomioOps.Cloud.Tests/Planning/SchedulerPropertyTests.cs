using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>
/// The scheduler's properties over 300 seeded random shops (<see cref="SyntheticShop.Random"/>): every operation is
/// placed, no machine runs two at once, no work centre is loaded over its capacity on any day, a part's step starts
/// after the step before it ends, no operation works in a break, outside its shifts or while its machine is down, and a
/// reschedule reusing the previous schedule equals one from scratch. A failure names its seed.
/// </summary>
public sealed class SchedulerPropertyTests
{
    private const int Cases = 300;

    [Fact]
    public void Plan_RandomShops_PlacesEveryOperation()
    {
        ForEachCase((seed, input, plan) =>
        {
            for (var i = 0; i < input.Operations.Count; i++)
            {
                Assert.True(plan.Machine[i] >= 0, $"seed {seed}: operation {input.Operations[i].Id} not placed");
                Assert.True(plan.Start[i] >= plan.Now && plan.Finish[i] >= plan.Start[i] && plan.Finish[i] < plan.End, $"seed {seed}: operation {input.Operations[i].Id} at {plan.Start[i]}..{plan.Finish[i]}");
                Assert.Contains(plan.Machine[i], plan.CentreMachines[plan.OperationCentre[i]]);
            }
        });
    }

    [Fact]
    public void Plan_RandomShops_NoMachineRunsTwoOperationsAtOnce()
    {
        ForEachCase((seed, input, plan) =>
        {
            foreach (var machine in Enumerable.Range(0, input.Operations.Count).GroupBy(i => plan.Machine[i]))
            {
                var intervals = machine.Select(i => (plan.Start[i], plan.Finish[i])).Order().ToList();
                for (var k = 1; k < intervals.Count; k++)
                {
                    Assert.True(intervals[k - 1].Item2 <= intervals[k].Item1, $"seed {seed}: overlap on machine {plan.MachineIds[machine.Key]}");
                }
            }
        });
    }

    [Fact]
    public void Plan_RandomShops_NoWorkCentreOverCapacityOnAnyDay()
    {
        ForEachCase((seed, input, plan) =>
        {
            var days = plan.Capacity(14);
            foreach (var day in days)
            {
                Assert.True(day.Load <= day.Capacity, $"seed {seed}: {day.WorkCentreId} on {day.Day}: load {day.Load} over capacity {day.Capacity}");
            }

            // Every working second of every operation is counted on some day.
            var planned = Enumerable.Range(0, input.Operations.Count).Sum(i => plan.MachineTimes[plan.Machine[i]].WorkBetween(plan.Start[i], plan.Finish[i]));
            Assert.Equal(planned, (long)days.Sum(d => d.Load.TotalSeconds));
        });
    }

    [Fact]
    public void Plan_RandomShops_RespectsRoutingPrecedence()
    {
        ForEachCase((seed, input, plan) =>
        {
            var index = input.Operations.Select((o, i) => (o, i)).ToDictionary(p => (p.o.PartId, p.o.Step), p => p.i);
            for (var i = 0; i < input.Operations.Count; i++)
            {
                var op = input.Operations[i];
                if (op.State is OperationState.Running or OperationState.Paused)
                {
                    continue;
                }

                foreach (var earlier in input.Operations.Where(o => o.PartId == op.PartId && o.Step < op.Step))
                {
                    Assert.True(plan.Start[i] >= plan.Finish[index[(earlier.PartId, earlier.Step)]], $"seed {seed}: step {op.Step} of part {op.PartId} starts before step {earlier.Step} ends");
                }
            }
        });
    }

    [Fact]
    public void Plan_RandomShops_WorksOnlyInShiftsOutsideBreaksAndDownTime()
    {
        ForEachCase((seed, input, plan) =>
        {
            for (var i = 0; i < input.Operations.Count; i++)
            {
                var op = input.Operations[i];
                var centre = input.Centres.Single(c => c.Id == op.WorkCentreId);
                var machine = plan.MachineIds[plan.Machine[i]];
                // Its work fills exactly the working time between its start and end, which start and end in working time.
                Assert.Equal(op.WorkSeconds, plan.MachineTimes[plan.Machine[i]].WorkBetween(plan.Start[i], plan.Finish[i]));
                if (op.WorkSeconds > 0)
                {
                    Assert.True(Working(input, centre, machine, plan.Start[i]), $"seed {seed}: operation {op.Id} starts outside working time at {DateTimeOffset.FromUnixTimeSeconds(plan.Start[i])}");
                    Assert.True(Working(input, centre, machine, plan.Finish[i] - 1), $"seed {seed}: operation {op.Id} ends outside working time at {DateTimeOffset.FromUnixTimeSeconds(plan.Finish[i])}");
                }
            }
        });
    }

    [Fact]
    public void Replan_AfterAMachineStopsOrAnOperationFinishes_EqualsPlanFromScratch()
    {
        ForEachCase((seed, input, plan) =>
        {
            var random = new Random(seed);
            var machines = input.Centres.SelectMany(c => c.Machines).ToList();
            var changed = input;
            if (machines.Count > 0 && random.Next(2) == 0)
            {
                var from = input.Now.AddMinutes(random.Next(0, 2000));
                changed = input with { Downs = [.. input.Downs, new MachineDown(machines[random.Next(machines.Count)], from, from.AddHours(3), false)] };
            }
            else if (input.Operations.Count > 1)
            {
                var done = input.Operations[random.Next(input.Operations.Count)];
                changed = input with
                {
                    Now = input.Now.AddMinutes(random.Next(0, 30)),
                    Operations = [.. input.Operations.Where(o => o != done).Select(o => o.PartId == done.PartId && o.Step == done.Step + 1 ? o with { State = OperationState.Ready } : o)],
                };
            }

            var incremental = Scheduler.Replan(plan, changed);
            var scratch = Scheduler.Plan(changed);
            Assert.Equal(scratch.Operations(), incremental.Operations());
        });
    }

    private static void ForEachCase(Action<int, PlanInput, SchedulePlan> check)
    {
        for (var seed = 1; seed <= Cases; seed++)
        {
            var input = SyntheticShop.Random(seed);
            check(seed, input, Scheduler.Plan(input));
        }
    }

    /// <summary>Whether the machine works at <paramref name="t"/>, read straight from the calendar (not through <see cref="WorkingTime"/>).</summary>
    private static bool Working(PlanInput input, PlanCentre centre, string? machine, long t)
    {
        var instant = DateTimeOffset.FromUnixTimeSeconds(t);
        if (input.Downs.Any(d => d.MachineId == machine && d.From <= instant && instant < d.To))
        {
            return false;
        }

        if (centre.Calendar.Shifts.Count == 0)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(instant, input.Zone).DateTime;
        foreach (var day in new[] { local.Date.AddDays(-1), local.Date })
        {
            if (centre.Calendar.Holidays.Contains(DateOnly.FromDateTime(day)))
            {
                continue;
            }

            foreach (var shift in centre.Calendar.Shifts.Where(s => s.Days.Contains(day.DayOfWeek)))
            {
                var start = day + shift.Start.ToTimeSpan();
                var end = (shift.End <= shift.Start ? day.AddDays(1) : day) + shift.End.ToTimeSpan();
                if (local < start || local >= end)
                {
                    continue;
                }

                return !shift.Breaks.Any(b =>
                    local >= (b.Start < shift.Start ? day.AddDays(1) : day) + b.Start.ToTimeSpan()
                    && local < (b.End <= shift.Start ? day.AddDays(1) : day) + b.End.ToTimeSpan());
            }
        }

        return false;
    }
}
