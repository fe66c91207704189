namespace DomioOps.Cloud.Production;

/// <summary>Where an operation is: waiting for the step before it, free to start, on a machine, paused, or finished.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OperationState>))]
internal enum OperationState
{
    Planned,
    Ready,
    Running,
    Paused,
    Done,
}

/// <summary>
/// One step of a part's routing at a work centre. Quantities: <see cref="Planned"/>, <see cref="Good"/> and
/// <see cref="Scrap"/> as operators confirmed them, and what the machine counted while it ran (<see cref="CountedClosed"/>
/// plus, while running, the machine's piece count since <see cref="CounterBaseline"/>): both are kept, so the difference
/// between counted and confirmed is never lost. Pausing closes a run segment and resets nothing.
/// </summary>
internal sealed class Operation
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public long PartId { get; set; }

    /// <summary>1-based position in the part's routing.</summary>
    public int Step { get; set; }

    public string WorkCentreId { get; set; } = "";

    public decimal SetupMinutes { get; set; }

    public decimal CycleSeconds { get; set; }

    public OperationState State { get; set; }

    public int Planned { get; set; }

    public int Good { get; set; }

    public int Scrap { get; set; }

    /// <summary>Pieces the machine counted in finished run segments.</summary>
    public long CountedClosed { get; set; }

    /// <summary>The machine it runs on, or last ran on.</summary>
    public string? MachineId { get; set; }

    /// <summary>The machine's piece count when the current run segment started; null unless running.</summary>
    public long? CounterBaseline { get; set; }

    public DateTimeOffset? RunningSince { get; set; }

    /// <summary>Time run in finished segments.</summary>
    public TimeSpan RunTime { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Remaining => Math.Max(0, Planned - Good);

    /// <summary>Pieces counted for this operation, given the machine's piece count now (used only while running).</summary>
    public long Counted(long machinePieceCount) =>
        CountedClosed + (State == OperationState.Running && CounterBaseline is { } baseline ? Math.Max(0, machinePieceCount - baseline) : 0);

    /// <summary>Time run, given the time now.</summary>
    public TimeSpan RunTimeAt(DateTimeOffset now) =>
        RunTime + (State == OperationState.Running && RunningSince is { } since && now > since ? now - since : TimeSpan.Zero);
}

/// <summary>Why pieces were scrapped.</summary>
internal enum ScrapReason
{
    Chipped,
    WrongSize,
    Damaged,
    MaterialDefect,
    MachineFault,
    Other,
}

/// <summary>
/// Good and scrap pieces an operator confirmed for an operation, with what the machine had counted for it at that moment.
/// </summary>
internal sealed class OperationReport
{
    public long Id { get; set; }

    public long OperationId { get; set; }

    public int Good { get; set; }

    public int Scrap { get; set; }

    public ScrapReason? ScrapReason { get; set; }

    public long Counted { get; set; }

    public string? OperatorId { get; set; }

    public string? TerminalId { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>Why a machine stopped working.</summary>
internal enum StopReason
{
    MaterialMissing,
    Setup,
    Breakdown,
    NoOperator,
    Break,
    Maintenance,
    Other,
}

/// <summary>An operator's reason for a stop: the interval that began when the machine left Working at <see cref="Since"/>.</summary>
internal sealed class MachineStop
{
    public string MachineId { get; set; } = "";

    public DateTimeOffset Since { get; set; }

    public StopReason Reason { get; set; }

    public string? OperatorId { get; set; }

    public string? TerminalId { get; set; }

    public DateTimeOffset ReportedAt { get; set; }
}

/// <summary>An action a terminal sent, by its idempotency key, with the answer it got: a replay gets the same answer and changes nothing.</summary>
internal sealed class TerminalAction
{
    public string TerminalId { get; set; } = "";

    public Guid Key { get; set; }

    public string Kind { get; set; } = "";

    public DateTimeOffset AppliedAt { get; set; }

    public int Status { get; set; }

    public string Response { get; set; } = "";
}

/// <summary>
/// A stretch of time an operation ran on a machine: from a start to the pause or finish that ended it (<see cref="To"/>
/// null while it runs). OEE per order reads them (<c>Oee/README.md</c>).
/// </summary>
internal sealed class OperationRun
{
    public long Id { get; set; }

    public long OperationId { get; set; }

    public long OrderId { get; set; }

    public string MachineId { get; set; } = "";

    public DateTimeOffset From { get; set; }

    public DateTimeOffset? To { get; set; }
}
