namespace DomioOps.Cloud.Production;

/// <summary>The kinds of work centre a furniture shop has; a part's routing is derived from them.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<WorkCentreKind>))]
internal enum WorkCentreKind
{
    PanelSaw,
    Edgebander,
    CncRouter,
    Drilling,
    Assembly,
    Packing,
}

/// <summary>
/// A place where one kind of operation is done: its machines (a machine's telemetry belongs to the work centre it is in),
/// its shift calendar and the standard rates a derived operation starts with.
/// </summary>
internal sealed class WorkCentre
{
    public const int MaxIdLength = 64;

    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public WorkCentreKind Kind { get; set; }

    /// <summary>Standard set-up time of an operation here, in minutes.</summary>
    public decimal SetupMinutes { get; set; }

    /// <summary>Standard time per piece here, in seconds.</summary>
    public decimal CycleSeconds { get; set; }

    public WorkCalendar Calendar { get; set; } = new();

    public List<WorkCentreMachine> Machines { get; set; } = [];
}

/// <summary>A machine placed in a work centre; a machine is in one work centre at most.</summary>
internal sealed class WorkCentreMachine
{
    public string MachineId { get; set; } = "";

    public string WorkCentreId { get; set; } = "";
}

/// <summary>When a work centre works: its shifts (with their breaks) on given days of the week, and its holidays.</summary>
internal sealed record WorkCalendar
{
    public List<Shift> Shifts { get; init; } = [];

    public List<DateOnly> Holidays { get; init; } = [];

    /// <summary>Monday to Friday, 06:00-14:00 and 14:00-22:00, each with a 30-minute break: where a new work centre starts.</summary>
    public static WorkCalendar TwoShifts => new()
    {
        Shifts =
        [
            new("1", new(6, 0), new(14, 0), Weekdays, [new(new(10, 0), new(10, 30))]),
            new("2", new(14, 0), new(22, 0), Weekdays, [new(new(18, 0), new(18, 30))]),
        ],
    };

    private static List<DayOfWeek> Weekdays => [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
}

/// <summary>A shift from <see cref="Start"/> to <see cref="End"/> (past midnight when End ≤ Start) on <see cref="Days"/>.</summary>
internal sealed record Shift(string Name, TimeOnly Start, TimeOnly End, List<DayOfWeek> Days, List<ShiftBreak> Breaks);

internal sealed record ShiftBreak(TimeOnly Start, TimeOnly End);
