using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>Worked examples of working time and of the scheduler, in Moscow time (UTC+3, no summer time) unless said.</summary>
public sealed class SchedulerTests
{
    private static readonly TimeZoneInfo Moscow = SyntheticShop.Moscow;

    // Monday 7 December 2026.
    private static readonly DateOnly Monday = new(2026, 12, 7);

    [Fact]
    public void WorkingTime_TwoShiftsOnAMonday_AreThreeIntervalsOfFifteenHours()
    {
        var time = Day(WorkCalendar.TwoShifts, Monday);

        Assert.Equal([(At(Monday, 6, 0), At(Monday, 10, 0)), (At(Monday, 10, 30), At(Monday, 18, 0)), (At(Monday, 18, 30), At(Monday, 22, 0))], Intervals(time));
        Assert.Equal(15 * 3600, time.TotalSeconds);
    }

    [Fact]
    public void WorkingTime_NightShiftOnFriday_RunsPastMidnightWithItsBreakOnSaturday()
    {
        var friday = Monday.AddDays(4);
        var time = Day(SyntheticShop.Night, friday, hoursAfter: 8);

        // Thursday's night ends on Friday at 06:00; Friday's starts at 22:00, breaks at 02:00-02:30 on Saturday, ends at 06:00.
        Assert.Equal([(At(friday, 0, 0), At(friday, 2, 0)), (At(friday, 2, 30), At(friday, 6, 0)), (At(friday, 22, 0), At(friday.AddDays(1), 2, 0)), (At(friday.AddDays(1), 2, 30), At(friday.AddDays(1), 6, 0))], Intervals(time));
    }

    [Fact]
    public void WorkingTime_Holiday_HasNoShifts()
    {
        var time = Day(WorkCalendar.TwoShifts with { Holidays = [Monday] }, Monday);

        Assert.Equal(0, time.TotalSeconds);
    }

    [Fact]
    public void WorkingTime_ChangeToSummerTime_ShiftIsAnHourShorter()
    {
        // In Berlin the clocks go from 02:00 to 03:00 on Sunday 29 March 2026.
        var sunday = new DateOnly(2026, 3, 29);
        var calendar = new WorkCalendar { Shifts = [new("N", new(0, 0), new(6, 0), [DayOfWeek.Sunday], [])] };
        var from = WorkingTime.Instant(SyntheticShop.Berlin, sunday, TimeOnly.MinValue);

        var time = WorkingTime.Of(calendar, SyntheticShop.Berlin, from, from + 86_400);

        Assert.Equal(5 * 3600, time.TotalSeconds);
    }

    [Fact]
    public void WorkingTime_AdvanceOverABreak_ResumesAfterIt()
    {
        var time = Day(WorkCalendar.TwoShifts, Monday);

        Assert.Equal(At(Monday, 11, 0), time.Advance(At(Monday, 9, 30), 3600));
        Assert.Equal(At(Monday, 10, 30), time.NextWorking(At(Monday, 10, 10)));
        Assert.Equal(3600, time.WorkBetween(At(Monday, 9, 30), At(Monday, 11, 0)));
        Assert.Equal(long.MaxValue, time.Advance(At(Monday, 21, 0), 2 * 3600));
    }

    [Fact]
    public void WorkingTime_Without_CutsDownWindows()
    {
        var time = Day(WorkCalendar.TwoShifts, Monday).Without([(At(Monday, 9, 0), At(Monday, 11, 0))]);

        Assert.Equal([(At(Monday, 6, 0), At(Monday, 9, 0)), (At(Monday, 11, 0), At(Monday, 18, 0)), (At(Monday, 18, 30), At(Monday, 22, 0))], Intervals(time));
    }

    [Fact]
    public void Plan_TwoOperationsOnOneMachine_SecondAfterFirstAcrossTheBreak()
    {
        // Now Monday 09:00. A: 30 min set-up + 60 × 60 s = 1.5 h, over the 10:00-10:30 break: 09:00-11:00. B, less urgent, after it.
        var input = Input(At(Monday, 9, 0), [Centre("saw", "saw-1")],
            Op(1, part: 1, step: 1, "saw", priority: 1, remaining: 60, cycle: 60, setupMinutes: 30),
            Op(2, part: 2, step: 1, "saw", priority: 2, remaining: 30, cycle: 60, setupMinutes: 0));

        var plan = Scheduler.Plan(input);

        Assert.Equal([("saw-1", At(Monday, 9, 0), At(Monday, 11, 0)), ("saw-1", At(Monday, 11, 0), At(Monday, 11, 30))], Placements(plan));
    }

    [Fact]
    public void Plan_PartThroughSawAndEdgebander_EdgingStartsWhenSawingEnds()
    {
        var input = Input(At(Monday, 6, 0), [Centre("saw", "saw-1"), Centre("edge", "eb-1")],
            Op(1, part: 1, step: 1, "saw", priority: 3, remaining: 60, cycle: 60, setupMinutes: 0),
            Op(2, part: 1, step: 2, "edge", priority: 3, remaining: 60, cycle: 30, setupMinutes: 0, state: OperationState.Planned));

        var plan = Scheduler.Plan(input);

        Assert.Equal([("saw-1", At(Monday, 6, 0), At(Monday, 7, 0)), ("eb-1", At(Monday, 7, 0), At(Monday, 7, 30))], Placements(plan));
    }

    [Fact]
    public void Plan_TwoMachines_RunTwoOperationsSideBySide()
    {
        var input = Input(At(Monday, 6, 0), [Centre("saw", "saw-1", "saw-2")],
            Op(1, part: 1, step: 1, "saw", priority: 1, remaining: 60, cycle: 60, setupMinutes: 0),
            Op(2, part: 2, step: 1, "saw", priority: 2, remaining: 60, cycle: 60, setupMinutes: 0));

        var plan = Scheduler.Plan(input);

        Assert.Equal([("saw-1", At(Monday, 6, 0), At(Monday, 7, 0)), ("saw-2", At(Monday, 6, 0), At(Monday, 7, 0))], Placements(plan));
    }

    [Fact]
    public void Plan_RunningOperationsMachineBrokenDown_ItResumesAfterTheRepairAndTheQueueMoves()
    {
        var now = At(Monday, 7, 0);
        var input = Input(now, [Centre("saw", "saw-1")],
            Op(2, part: 2, step: 1, "saw", priority: 1, remaining: 60, cycle: 60, setupMinutes: 0),
            Op(1, part: 1, step: 1, "saw", priority: 3, remaining: 30, cycle: 60, setupMinutes: 0, state: OperationState.Running, machine: "saw-1"));
        var before = Scheduler.Plan(input);

        var after = Scheduler.Replan(before, input with { Downs = [new MachineDown("saw-1", Instant(now), Instant(At(Monday, 9, 0)), false)] });

        // The running one goes first whatever its priority: 07:00-07:30, then 07:30-08:30; down until 09:00: 09:00-09:30, 09:30-10:00 + 10:30-11:00.
        Assert.Equal([("saw-1", At(Monday, 7, 0), At(Monday, 7, 30)), ("saw-1", At(Monday, 7, 30), At(Monday, 8, 30))], Placements(before, byId: true));
        Assert.Equal([("saw-1", At(Monday, 9, 0), At(Monday, 9, 30)), ("saw-1", At(Monday, 9, 30), At(Monday, 11, 0))], Placements(after, byId: true));
    }

    [Fact]
    public void Plan_SequenceOverride_MovesAnOperationFirstOntoTheNamedMachine()
    {
        var input = Input(At(Monday, 6, 0), [Centre("saw", "saw-1", "saw-2")],
            Op(1, part: 1, step: 1, "saw", priority: 1, remaining: 60, cycle: 60, setupMinutes: 0),
            Op(2, part: 2, step: 1, "saw", priority: 2, remaining: 60, cycle: 60, setupMinutes: 0),
            Op(3, part: 3, step: 1, "saw", priority: 3, remaining: 60, cycle: 60, setupMinutes: 0));

        var plan = Scheduler.Plan(input with { Overrides = [new SequenceOverride(3, 1, "saw-2"), new SequenceOverride(1, null, "saw-2")] });

        // Sequence 3, 2, 1; 3 and 1 on saw-2: 3 at 06:00, 2 on saw-1 at 06:00, 1 after 3 on saw-2.
        Assert.Equal([("saw-2", At(Monday, 7, 0), At(Monday, 8, 0)), ("saw-1", At(Monday, 6, 0), At(Monday, 7, 0)), ("saw-2", At(Monday, 6, 0), At(Monday, 7, 0))], Placements(plan, byId: true));
    }

    [Fact]
    public void Plan_WorkCentreWithoutMachines_IsOneLane()
    {
        var input = Input(At(Monday, 6, 0), [Centre("assembly")],
            Op(1, part: 1, step: 1, "assembly", priority: 1, remaining: 1, cycle: 3600, setupMinutes: 0),
            Op(2, part: 2, step: 1, "assembly", priority: 2, remaining: 1, cycle: 3600, setupMinutes: 0));

        var plan = Scheduler.Plan(input);

        Assert.Equal([(null, At(Monday, 6, 0), At(Monday, 7, 0)), (null, At(Monday, 7, 0), At(Monday, 8, 0))], Placements(plan));
    }

    [Fact]
    public void Plan_LoadPastTheHorizon_LaysTheCalendarOutFurther()
    {
        // 100 hours on one machine working 15 hours a weekday, with a 1-week horizon.
        var oneWeek = Input(At(Monday, 6, 0), [Centre("saw", "saw-1")], Op(1, part: 1, step: 1, "saw", priority: 1, remaining: 100, cycle: 3600, setupMinutes: 0));
        var input = oneWeek with { Horizon = TimeSpan.FromDays(7) };

        var plan = Scheduler.Plan(input);

        // Five weekdays of 15 h = 75 h, the next week's Monday 15 h = 90 h, Tuesday 10 h more: 06:00-10:00, 10:30-16:30.
        Assert.Equal(At(Monday.AddDays(8), 16, 30), plan.Finish[0]);
    }

    [Fact]
    public void Capacity_TwoMachinesOneDown_CountsWorkingTimeAndLoadPerDay()
    {
        var now = At(Monday, 6, 0);
        var shop = Input(now, [Centre("saw", "saw-1", "saw-2")], Op(1, part: 1, step: 1, "saw", priority: 1, remaining: 120, cycle: 60, setupMinutes: 0));
        var input = shop with { Downs = [new MachineDown("saw-2", Instant(now), Instant(At(Monday, 12, 0)), true)] };

        var monday = Scheduler.Plan(input).Capacity(7).First(d => d.Day == Monday);

        Assert.Equal((TimeSpan.FromHours(30 - 5.5), TimeSpan.FromHours(2)), (monday.Capacity, monday.Load));
    }

    private static WorkingTime Day(WorkCalendar calendar, DateOnly day, int hoursAfter = 0)
    {
        var from = WorkingTime.Instant(Moscow, day, TimeOnly.MinValue);
        return WorkingTime.Of(calendar, Moscow, from, from + 86_400 + (hoursAfter * 3600));
    }

    private static long At(DateOnly day, int hour, int minute) => WorkingTime.Instant(Moscow, day, new TimeOnly(hour, minute));

    private static DateTimeOffset Instant(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static List<(long, long)> Intervals(WorkingTime time) => [.. Enumerable.Range(0, time.Count).Select(i => time[i])];

    private static PlanCentre Centre(string id, params string[] machines) => new(id, machines, WorkCalendar.TwoShifts);

    private static PlanInput Input(long now, PlanCentre[] centres, params PlanOperation[] operations) =>
        new(Instant(now), Moscow, centres, operations, [], []);

    private static PlanOperation Op(long id, long part, int step, string centre, int priority, int remaining, double cycle, double setupMinutes,
        OperationState state = OperationState.Ready, string? machine = null) =>
        new(id, part, $"O-{part}", part, $"Part {part}", step, centre, state, machine, remaining, setupMinutes * 60, cycle, priority, Monday.AddDays(7),
            state is OperationState.Running or OperationState.Paused);

    private static List<(string?, long, long)> Placements(SchedulePlan plan, bool byId = false) =>
        [.. Enumerable.Range(0, plan.Input.Operations.Count)
            .OrderBy(i => byId ? plan.Input.Operations[i].Id : plan.Start[i]).ThenBy(i => plan.MachineIds[plan.Machine[i]], StringComparer.Ordinal)
            .Select(i => (plan.MachineIds[plan.Machine[i]], plan.Start[i], plan.Finish[i]))];
}
