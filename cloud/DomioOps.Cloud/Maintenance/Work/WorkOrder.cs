using System.Text.Json;
using System.Text.Json.Serialization;

namespace DomioOps.Cloud.Maintenance.Work;

[JsonConverter(typeof(JsonStringEnumConverter<WorkOrderStatus>))]
public enum WorkOrderStatus
{
    Planned,
    Done,
    Cancelled,
}

public sealed record ChecklistItem(string Text, bool Done);

public sealed record PartUsed(string Part, decimal Quantity);

/// <summary>Maintenance work on a machine in a planned window (which leaves the machine's capacity), from an alert or by hand.</summary>
internal sealed record WorkOrder(
    long Id,
    string MachineId,
    long? AlertId,
    string Title,
    WorkOrderStatus Status,
    DateTimeOffset PlannedFrom,
    DateTimeOffset PlannedTo,
    long? WindowId,
    IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<PartUsed> PartsUsed,
    int MinutesSpent,
    bool Repair,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ClosedAt,
    string? ClosedBy)
{
    public const int MaxTitleLength = 200;
    public const int MaxChecklistItems = 50;
    public const int MaxItemLength = 200;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>A work order as it is planned: the machine, the window, a title, an optional alert and a checklist.</summary>
internal sealed record WorkOrderDraft(string? MachineId, long? AlertId, string? Title, DateTimeOffset? PlannedFrom, DateTimeOffset? PlannedTo, IReadOnlyList<string>? Checklist);

/// <summary>Progress on a work order: checklist ticks, parts used, time spent.</summary>
internal sealed record WorkOrderProgress(IReadOnlyList<ChecklistItem>? Checklist, IReadOnlyList<PartUsed>? PartsUsed, int? MinutesSpent);

/// <summary>
/// Closing a work order: <see cref="Repair"/> when the machine was repaired (its operating hours start again); the
/// verdict on the alert it came from (a repair before the failure is <see cref="Alerts.AlertVerdict.Prevented"/>).
/// </summary>
internal sealed record WorkOrderClosing(bool Repair, Alerts.AlertVerdict? Verdict, string? Note);
