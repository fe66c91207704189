using System.Globalization;
using System.Text;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// A person's activities as an iCalendar feed (RFC 5545): one VEVENT per activity with its UID, DTSTAMP, DTSTART and
/// DTEND in UTC, SUMMARY, STATUS, and a VALARM for its reminder. Text is escaped (§3.3.11: backslash, semicolon, comma,
/// newline), every line ends in CRLF and is folded at 75 octets (§3.1) without splitting a UTF-8 character.
/// </summary>
internal static class ActivityCalendar
{
    public const string ContentType = "text/calendar; charset=utf-8";

    /// <summary>How long an activity lasts in a calendar: a call or a task a quarter of an hour, a meeting an hour.</summary>
    public static TimeSpan Length(ActivityKind kind) => kind == ActivityKind.Meeting ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(15);

    public static string Write(IEnumerable<Activity> activities, string host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var text = new StringBuilder();
        Line(text, "BEGIN:VCALENDAR");
        Line(text, "VERSION:2.0");
        Line(text, "PRODID:-//DomioOps//Office activities//EN");
        Line(text, "CALSCALE:GREGORIAN");
        Line(text, "X-WR-CALNAME:DomioOps");
        foreach (var activity in activities)
        {
            Line(text, "BEGIN:VEVENT");
            Line(text, $"UID:activity-{activity.Id.ToString(CultureInfo.InvariantCulture)}@{host}");
            Line(text, $"DTSTAMP:{Utc(now)}");
            Line(text, $"LAST-MODIFIED:{Utc(activity.UpdatedAt)}");
            Line(text, $"SEQUENCE:{activity.Version.ToString(CultureInfo.InvariantCulture)}");
            Line(text, $"DTSTART:{Utc(activity.DueAt)}");
            Line(text, $"DTEND:{Utc(activity.DueAt + Length(activity.Kind))}");
            Line(text, $"SUMMARY:{Escape(activity.Subject)}");
            Line(text, $"CATEGORIES:{activity.Kind.ToString().ToUpperInvariant()}");
            Line(text, activity.Done ? "STATUS:CONFIRMED" : "STATUS:TENTATIVE");
            if (activity.RemindAt is { } remind)
            {
                Line(text, "BEGIN:VALARM");
                Line(text, "ACTION:DISPLAY");
                Line(text, $"DESCRIPTION:{Escape(activity.Subject)}");
                Line(text, $"TRIGGER;VALUE=DATE-TIME:{Utc(remind)}");
                Line(text, "END:VALARM");
            }

            Line(text, "END:VEVENT");
        }

        Line(text, "END:VCALENDAR");
        return text.ToString();
    }

    /// <summary>TEXT escaping (RFC 5545 §3.3.11).</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal).Replace("\r\n", "\\n", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\n", StringComparison.Ordinal);
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends a content line folded at 75 octets (§3.1): CRLF and one space before each continuation.</summary>
    private static void Line(StringBuilder text, string line)
    {
        var octets = 0;
        var limit = 75;
        for (var i = 0; i < line.Length; i++)
        {
            var length = char.IsHighSurrogate(line[i]) && i + 1 < line.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(i, length));
            if (octets + size > limit)
            {
                text.Append("\r\n ");
                octets = 0;
                limit = 74; // the leading space counts
            }

            text.Append(line, i, length);
            octets += size;
            i += length - 1;
        }

        text.Append("\r\n");
    }
}
