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
        for (var attempt = 0; ; attempt++)
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
