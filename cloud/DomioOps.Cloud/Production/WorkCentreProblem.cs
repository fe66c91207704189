namespace DomioOps.Cloud.Production;

/// <summary>
/// One thing wrong with a draft: the field (as the API names it, e.g. <c>shifts[1].breaks[0]</c>), a code a page
/// translates with <see cref="Args"/>, and the English message the API answers with.
/// </summary>
internal sealed record WorkCentreProblem(string Field, WorkCentreProblemCode Code, string Message, params string[] Args);

/// <summary>Why a work centre change was refused; a page words each as <c>WorkCentres.Error.{Code}</c>.</summary>
internal enum WorkCentreProblemCode
{
    Id,
    IdTaken,
    IdFixed,
    InUse,
    MachinesChanged,
    Name,
    Kind,
    SetupMinutes,
    CycleSeconds,
    TooManyMachines,
    MachineId,
    MachineTwice,
    MachineElsewhere,
    TooManyShifts,
    ShiftName,
    Time,
    ShiftEmpty,
    Day,
    NoDays,
    TooManyBreaks,
    BreakOutside,
    ShiftOverlap,
    TooManyHolidays,
    Holiday,
    HolidayTwice,
}

/// <summary>What a change came to: the work centre, or the problems (none when there was no such work centre).</summary>
internal sealed record WorkCentreResult(WorkCentreDraft? Centre, IReadOnlyList<WorkCentreProblem> Problems)
{
    public bool NotFound => Centre is null && Problems.Count == 0;
}
