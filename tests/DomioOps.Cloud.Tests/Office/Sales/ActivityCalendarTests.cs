using DomioOps.Cloud.Office.Sales;

namespace DomioOps.Cloud.Tests.Office.Sales;

/// <summary>The iCalendar writer against lines written by hand from RFC 5545 (§3.1 folding, §3.3.11 escaping).</summary>
public sealed class ActivityCalendarTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Escape_SpecialCharacters_BackslashedAndNewlinesAsN() =>
        Assert.Equal(@"a\\b\;c\,d\ne\nf", ActivityCalendar.Escape("a\\b;c,d\r\ne\nf"));

    [Fact]
    public void Write_LongCyrillicSummary_FoldedAt75OctetsBetweenCharacters()
    {
        // "SUMMARY:" is 8 octets and each "ж" 2: 33 of them fill the first line to 74 (a 34th would make 76); the
        // continuation is a space and the remaining 37 (1 + 74 = 75 octets).
        var activity = new Activity(7, ActivityKind.Call, new string('ж', 70), new(2027, 1, 2, 3, 4, 5, TimeSpan.Zero), "u", null, null, false, null, null,
            Stamp, "x", Stamp, 1);
        var text = ActivityCalendar.Write([activity], "domio.example", Stamp);
        Assert.Equal(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//DomioOps//Office activities//EN\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:DomioOps\r\n"
            + "BEGIN:VEVENT\r\nUID:activity-7@domio.example\r\nDTSTAMP:20261206T040000Z\r\nLAST-MODIFIED:20261206T040000Z\r\nSEQUENCE:1\r\n"
            + "DTSTART:20270102T030405Z\r\nDTEND:20270102T031905Z\r\n"
            + "SUMMARY:" + new string('ж', 33) + "\r\n " + new string('ж', 37) + "\r\n"
            + "CATEGORIES:CALL\r\nSTATUS:TENTATIVE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            text);
    }

    [Fact]
    public void Write_Reminder_IsAnAlarmAtItsUtcTime()
    {
        var activity = new Activity(8, ActivityKind.Meeting, "Замер", new(2027, 1, 2, 12, 0, 0, TimeSpan.FromHours(3)), "u", null, null, true,
            new(2027, 1, 2, 11, 0, 0, TimeSpan.FromHours(3)), null, Stamp, "x", Stamp, 2);
        var text = ActivityCalendar.Write([activity], "h", Stamp);
        Assert.Contains("DTSTART:20270102T090000Z\r\nDTEND:20270102T100000Z\r\nSUMMARY:Замер\r\nCATEGORIES:MEETING\r\nSTATUS:CONFIRMED\r\n"
            + "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Замер\r\nTRIGGER;VALUE=DATE-TIME:20270102T080000Z\r\nEND:VALARM\r\nEND:VEVENT\r\n", text, StringComparison.Ordinal);
    }
}
