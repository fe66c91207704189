namespace DomioOps.Cloud.Production;

/// <summary>An operation as the terminal and the office see it: the part and order it is for, and its quantities now.</summary>
internal sealed record OperationView(
    long Id,
    long OrderId,
    string OrderNumber,
    string Customer,
    DateOnly DueDate,
    int Priority,
    long PartId,
    string PartName,
    string Material,
    decimal Thickness,
    decimal Length,
    decimal Width,
    GrainDirection Grain,
    PartEdges Edges,
    string? Program,
    int Step,
    int Steps,
    string WorkCentreId,
    string WorkCentreName,
    string? NextWorkCentreName,
    OperationState State,
    string? MachineId,
    int Planned,
    int Good,
    int Scrap,
    int Remaining,
    long Counted,
    long CountedClosed,
    long? CounterBaseline,
    double RunSeconds,
    DateTimeOffset? RunningSince,
    decimal SetupMinutes,
    decimal CycleSeconds);

/// <summary>Edge banding per side: L1 L2 along the length, W1 W2 along the width; null where none.</summary>
internal sealed record PartEdges(string? L1, string? L2, string? W1, string? W2);
