using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

/// <summary>An operation as the schedule shows it: where (work centre, machine) and when its remaining work is planned.</summary>
internal sealed record ScheduledOperation(long OperationId, long OrderId, string OrderNumber, string PartName, int Step,
    string WorkCentreId, string? MachineId, DateTimeOffset Start, DateTimeOffset End, OperationState State);

/// <summary>A work centre's capacity and planned load on one plant-local day (from now on, for today).</summary>
internal sealed record CapacityDay(string WorkCentreId, DateOnly Day, TimeSpan Capacity, TimeSpan Load);

/// <summary>An order's planned completion (<see cref="Projected"/>) and its Monte Carlo P50 and P90; at risk when P90 is after the due date.</summary>
internal sealed record OrderForecast(long OrderId, string Number, string Customer, DateOnly DueDate, int Priority,
    DateTimeOffset Projected, DateTimeOffset P50, DateTimeOffset P90, bool AtRisk);

/// <summary>An operation whose planned end moved from <see cref="Was"/> to <see cref="Now"/>.</summary>
internal sealed record ScheduleMove(long OperationId, string OrderNumber, DateTimeOffset Was, DateTimeOffset Now);

internal sealed record Schedule(long Version, DateTimeOffset ComputedAt, string Reason, IReadOnlyList<ScheduledOperation> Operations,
    IReadOnlyList<CapacityDay> Capacity, IReadOnlyList<OrderForecast> Orders, IReadOnlyList<ScheduleMove> Moves)
{
    public static Schedule Empty { get; } = new(0, DateTimeOffset.UnixEpoch, "not computed yet", [], [], [], []);
}

/// <summary>Move an operation to a position in its work centre's sequence, optionally onto another machine of that work centre.</summary>
internal sealed record SequenceChange(long OperationId, int Position, string? MachineId);

/// <summary>A work centre as the scheduler sees it: its machines (none: planned as one lane) and its calendar.</summary>
internal sealed record PlanCentre(string Id, IReadOnlyList<string> Machines, WorkCalendar Calendar);

/// <summary>
/// A not-finished operation as the scheduler needs it: its routing place, state, the machine it runs on (running or
/// paused), what remains and at what standard times, and its order's urgency.
/// </summary>
internal sealed record PlanOperation(long Id, long OrderId, string OrderNumber, long PartId, string PartName, int Step,
    string WorkCentreId, OperationState State, string? MachineId, int Remaining, double SetupSeconds, double CycleSeconds,
    int Priority, DateOnly DueDate, bool Started)
{
    /// <summary>Working seconds it still needs: its set-up unless started, then the remaining pieces at the cycle time.</summary>
    public long WorkSeconds => (long)Math.Ceiling((Started ? 0 : SetupSeconds) + (Remaining * CycleSeconds));
}

/// <summary>A machine not available in [From, To): planned maintenance, or an open breakdown until its expected end.</summary>
internal sealed record MachineDown(string MachineId, DateTimeOffset From, DateTimeOffset To, bool Planned);

/// <summary>
/// A planner's sequence override: the operation runs just before <see cref="BeforeOperationId"/> in its work centre's
/// sequence (at the end when null), on <see cref="MachineId"/> when given. Overrides apply in the order they were made.
/// </summary>
internal sealed record SequenceOverride(long OperationId, long? BeforeOperationId, string? MachineId);

/// <summary>Everything a schedule is computed from; the same input gives the same schedule.</summary>
internal sealed record PlanInput(DateTimeOffset Now, TimeZoneInfo Zone, IReadOnlyList<PlanCentre> Centres,
    IReadOnlyList<PlanOperation> Operations, IReadOnlyList<MachineDown> Downs, IReadOnlyList<SequenceOverride> Overrides)
{
    /// <summary>How far ahead calendars are laid out first (longer when the load needs it).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(56);
}
