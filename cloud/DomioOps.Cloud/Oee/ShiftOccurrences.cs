using System.Globalization;

using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Oee;

/// <summary>
/// One shift of a work centre's calendar on one plant-local day (the day it starts on): its span and its planned
/// production windows, which are the span minus its breaks and minus planned maintenance.
/// </summary>
internal sealed record ShiftOccurrence(string Name, DateOnly Day, TimeRange Span, IReadOnlyList<TimeRange> Planned)
{
    /// <summary>As a planner says it: "2026-12-07 shift 1".</summary>
    public string Label => $"{Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} shift {Name}";

    public TimeSpan PlannedTime => TimeSpan.FromTicks(Planned.Sum(p => p.Length.Ticks));
}

/// <summary>The shift occurrences of a work calendar in the plant's time zone.</summary>
internal static class ShiftOccurrences
{
    /// <summary>
    /// The occurrences whose span overlaps [<paramref name="from"/>, <paramref name="to"/>), by start: shifts on their days
    /// of the week and not on a holiday (a night shift belongs to the day it starts on), minus their breaks and minus
    /// <paramref name="plannedStops"/> (planned maintenance windows).
    /// </summary>
    public static IReadOnlyList<ShiftOccurrence> Overlapping(WorkCalendar calendar, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyList<TimeRange>? plannedStops = null)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(zone);
        var result = new List<ShiftOccurrence>();
        if (to <= from)
        {
            return result;
        }

        var first = LocalDay(from, zone).AddDays(-1);
        var last = LocalDay(to, zone);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (calendar.Holidays.Contains(day))
            {
                continue;
            }

            foreach (var shift in calendar.Shifts.Where(s => s.Days.Contains(day.DayOfWeek)))
            {
                var occurrence = Occurrence(shift, day, zone, plannedStops ?? []);
                if (occurrence.Span.From < to && occurrence.Span.To > from)
                {
                    result.Add(occurrence);
                }
            }
        }

        result.Sort((a, b) => a.Span.From.CompareTo(b.Span.From));
        return result;
    }

    /// <summary>The occurrence that <paramref name="at"/> falls in, if any.</summary>
    public static ShiftOccurrence? At(WorkCalendar calendar, TimeZoneInfo zone, DateTimeOffset at, IReadOnlyList<TimeRange>? plannedStops = null) =>
        Overlapping(calendar, zone, at, at.AddTicks(1), plannedStops) is [var first, ..] ? first : null;

    public static ShiftOccurrence Occurrence(Shift shift, DateOnly day, TimeZoneInfo zone, IReadOnlyList<TimeRange> plannedStops)
    {
        ArgumentNullException.ThrowIfNull(shift);
        var start = ToInstant(day, shift.Start, zone);
        var end = ToInstant(shift.End <= shift.Start ? day.AddDays(1) : day, shift.End, zone);
        var span = new TimeRange(start, end);
        var cuts = shift.Breaks.Select(b =>
        {
            // A break of a shift past midnight may fall on the next day; one whose end is before its start runs past midnight.
            var breakDay = shift.End <= shift.Start && b.Start < shift.Start ? day.AddDays(1) : day;
            var breakEnd = b.End <= b.Start ? breakDay.AddDays(1) : breakDay;
            return new TimeRange(ToInstant(breakDay, b.Start, zone), ToInstant(breakEnd, b.End, zone));
        }).Concat(plannedStops);
        return new ShiftOccurrence(shift.Name, day, span, Subtract(span, cuts));
    }

    /// <summary><paramref name="span"/> without <paramref name="cuts"/>: sorted, disjoint windows.</summary>
    internal static List<TimeRange> Subtract(TimeRange span, IEnumerable<TimeRange> cuts)
    {
        var result = new List<TimeRange>();
        var cursor = span.From;
        foreach (var cut in OeeCalculator.Normalise(cuts, span))
        {
            if (cut.From > cursor)
            {
                result.Add(new TimeRange(cursor, cut.From));
            }

            cursor = cut.To > cursor ? cut.To : cursor;
        }

        if (span.To > cursor)
        {
            result.Add(new TimeRange(cursor, span.To));
        }

        return result;
    }

    public static DateOnly LocalDay(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>As <see cref="ShiftCalendar.ToInstant"/>: a skipped local time is the first instant after the gap, a repeated one its first occurrence.</summary>
    public static DateTimeOffset ToInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The ISO week label of a day: "2026-W50".</summary>
    public static string WeekLabel(DateOnly day) =>
        $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue)).ToString(CultureInfo.InvariantCulture)}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)).ToString("00", CultureInfo.InvariantCulture)}";

    /// <summary>The Monday of the ISO week of <paramref name="day"/>.</summary>
    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
}
