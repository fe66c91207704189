using System.Globalization;

namespace DomioOps.Cloud.Production;

/// <summary>
/// A work centre as the office writes and reads it: times <c>HH:mm</c>, days and kinds by name, holidays
/// <c>yyyy-MM-dd</c> (so a form and the API send the same thing, and every bad value is an error naming its field).
/// </summary>
internal sealed record WorkCentreDraft(
    string? Id,
    string? Name,
    string? Kind,
    decimal? SetupMinutes,
    decimal? CycleSeconds,
    IReadOnlyList<string>? Machines,
    IReadOnlyList<ShiftDraft>? Shifts,
    IReadOnlyList<string>? Holidays)
{
    public static WorkCentreDraft From(WorkCentre centre) => new(
        centre.Id,
        centre.Name,
        centre.Kind.ToString(),
        centre.SetupMinutes,
        centre.CycleSeconds,
        [.. centre.Machines.Select(m => m.MachineId).Order(StringComparer.Ordinal)],
        [.. centre.Calendar.Shifts.Select(s => new ShiftDraft(s.Name, Time(s.Start), Time(s.End), [.. s.Days.Order().Select(d => d.ToString())],
            [.. s.Breaks.Select(b => new BreakDraft(Time(b.Start), Time(b.End)))]))],
        [.. centre.Calendar.Holidays.Order().Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]);

    private static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}

internal sealed record ShiftDraft(string? Name, string? Start, string? End, IReadOnlyList<string>? Days, IReadOnlyList<BreakDraft>? Breaks);

internal sealed record BreakDraft(string? Start, string? End);
