using System.Globalization;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

/// <summary>An interval of time [<see cref="From"/>, <see cref="To"/>).</summary>
public readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;
}

/// <summary>Shifts and days in the plant's local time, as instants: the current shift, today, the last days.</summary>
internal sealed class ShiftCalendar
{
    private readonly TimeOnly[] _starts;

    public ShiftCalendar(IOptions<MachinesOptions> options)
    {
        var value = options.Value;
        Zone = value.Zone();
        var texts = value.ShiftStarts.Count == 0 ? MachinesOptions.DefaultShiftStarts : value.ShiftStarts;
        // Validated at start (MachinesOptionsValidator).
        _starts = [.. texts.Select(text => TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture)).Order()];
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
            .SelectMany(day => _starts.Select(start => ToInstant(day, start)))
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
