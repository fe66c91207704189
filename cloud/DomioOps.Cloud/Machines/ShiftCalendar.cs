using System.Globalization;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

/// <summary>An interval of time [<see cref="From"/>, <see cref="To"/>).</summary>
public readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;
}

/// <summary>
/// The plant's shifts and days (section <c>Machines</c>) until production tracking brings shift calendars: every day has
/// the same shifts, each starting at a local time of the plant's time zone and ending where the next one starts.
/// </summary>
public sealed class ShiftCalendarOptions
{
    public const string Section = "Machines";

    /// <summary>The plant's time zone (IANA id such as <c>Europe/Moscow</c>); the host's when empty.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The local start of each shift, <c>HH:mm</c>; <see cref="DefaultShiftStarts"/> when none is given.</summary>
    public List<string> ShiftStarts { get; set; } = [];

    public static IReadOnlyList<string> DefaultShiftStarts { get; } = ["06:00", "14:00", "22:00"];
}

/// <summary>Names the key of each wrong setting and what a right one looks like.</summary>
internal sealed class ShiftCalendarOptionsValidator : IValidateOptions<ShiftCalendarOptions>
{
    public ValidateOptionsResult Validate(string? name, ShiftCalendarOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
        {
            failures.Add($"Machines:TimeZone '{options.TimeZone}' is not a time zone this host knows; use an IANA id such as Europe/Moscow, or leave it empty for the host's.");
        }

        var seen = new Dictionary<TimeOnly, int>();
        for (var i = 0; i < options.ShiftStarts.Count; i++)
        {
            var text = options.ShiftStarts[i];
            if (!ShiftCalendar.TryParseStart(text, out var start))
            {
                failures.Add($"Machines:ShiftStarts:{i} must be a local time of day as HH:mm, such as 06:00 or 14:00; got '{text}'.");
            }
            else if (seen.TryGetValue(start, out var first))
            {
                failures.Add($"Machines:ShiftStarts:{i} repeats {text} (Machines:ShiftStarts:{first}): each shift starts at its own time.");
            }
            else
            {
                seen[start] = i;
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Shifts and days in the plant's local time, as instants: the current shift, today, the last days.</summary>
internal sealed class ShiftCalendar
{
    private readonly TimeOnly[] starts;

    public ShiftCalendar(IOptions<ShiftCalendarOptions> options)
    {
        var value = options.Value;
        Zone = string.IsNullOrWhiteSpace(value.TimeZone) ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(value.TimeZone);
        var texts = value.ShiftStarts.Count == 0 ? ShiftCalendarOptions.DefaultShiftStarts : value.ShiftStarts;
        // Validated at start (ShiftCalendarOptionsValidator).
        starts = [.. texts.Select(text => TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture)).Order()];
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The IANA id of <see cref="Zone"/>, as a browser's <c>Intl</c> knows it.</summary>
    public string ZoneId => Zone.HasIanaId ? Zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(Zone.Id, out var iana) ? iana : "UTC";

    /// <summary>The shift that <paramref name="now"/> falls in.</summary>
    public TimeRange ShiftAt(DateTimeOffset now)
    {
        var today = LocalDay(now);
        // Yesterday's last shift may still run (a night shift), and today's last one ends tomorrow.
        var boundaries = new[] { today.AddDays(-1), today, today.AddDays(1) }
            .SelectMany(day => starts.Select(start => ToInstant(day, start)))
            .ToList();
        var index = boundaries.FindLastIndex(b => b <= now);
        return new TimeRange(boundaries[index], boundaries[index + 1]);
    }

    /// <summary>The local day that <paramref name="now"/> falls in, midnight to midnight.</summary>
    public TimeRange DayAt(DateTimeOffset now) => Day(LocalDay(now));

    public TimeRange Day(DateOnly day) => new(ToInstant(day, TimeOnly.MinValue), ToInstant(day.AddDays(1), TimeOnly.MinValue));

    /// <summary>The <paramref name="count"/> local days up to and including the one <paramref name="now"/> falls in, oldest first.</summary>
    public IReadOnlyList<DateOnly> LastDays(DateTimeOffset now, int count)
    {
        var today = LocalDay(now);
        return [.. Enumerable.Range(0, count).Select(i => today.AddDays(i - count + 1))];
    }

    public DateOnly LocalDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The instant of a local time; a time that a change to summer time skips is the first instant after the gap, a repeated one its first occurrence.</summary>
    public DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    internal static bool TryParseStart(string? text, out TimeOnly start) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out start);
}
