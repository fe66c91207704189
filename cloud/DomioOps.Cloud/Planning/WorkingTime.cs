using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Planning;

/// <summary>
/// When a machine (or a work centre's calendar) can work: sorted, disjoint intervals of Unix seconds with the working
/// seconds before each, so "the instant after N working seconds from t" and "working seconds between a and b" are two
/// binary searches. Built once per calendar and horizon; a machine's is its work centre's minus its down windows.
/// </summary>
internal sealed class WorkingTime
{
    /// <summary>The lookups below are by the hour: an instant's hour, or a count of working seconds' hour.</summary>
    private const long Bucket = 3600;

    private readonly long[] starts;
    private readonly long[] ends;
    private readonly long[] before;
    // For each hour from the first start, the first interval ending after its beginning; for each hour of working
    // seconds, the interval in which that much work is reached. Both turn a search into a step or two.
    private readonly int[] byInstant;
    private readonly int[] byWork;

    public WorkingTime(IReadOnlyList<(long Start, long End)> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        int n = intervals.Count;
        starts = new long[n];
        ends = new long[n];
        before = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            (starts[i], ends[i]) = intervals[i];
            before[i + 1] = before[i] + (ends[i] - starts[i]);
        }

        byInstant = new int[n == 0 ? 0 : ((ends[^1] - starts[0]) / Bucket) + 1];
        for (int b = 0, i = 0; b < byInstant.Length; b++)
        {
            long at = starts[0] + (b * Bucket);
            while (i < n && ends[i] <= at)
            {
                i++;
            }

            byInstant[b] = i;
        }

        byWork = new int[(before[^1] / Bucket) + 1];
        for (int k = 0, i = 0; k < byWork.Length; k++)
        {
            // The last interval i whose work before it is under k hours (or the first).
            while (i + 1 < n && before[i + 1] < k * Bucket)
            {
                i++;
            }

            byWork[k] = i;
        }
    }

    public int Count => starts.Length;

    /// <summary>The last instant it covers (the horizon).</summary>
    public long Horizon { get; init; }

    public long TotalSeconds => before[^1];

    public (long Start, long End) this[int index] => (starts[index], ends[index]);

    /// <summary>The first working instant at or after <paramref name="t"/>; <see cref="long.MaxValue"/> past the horizon.</summary>
    public long NextWorking(long t)
    {
        int i = FirstEndingAfter(t);
        return i == starts.Length ? long.MaxValue : Math.Max(t, starts[i]);
    }

    /// <summary>The instant <paramref name="work"/> working seconds after <paramref name="t"/>; <see cref="long.MaxValue"/> past the horizon.</summary>
    public long Advance(long t, long work)
    {
        long target = WorkBefore(t) + work;
        if (work <= 0)
        {
            return NextWorking(t);
        }

        if (target > before[^1])
        {
            return long.MaxValue;
        }

        // The interval in which the target-th working second ends: the last i with before[i] < target.
        int lo = byWork[(target - 1) / Bucket];
        while (lo + 1 < starts.Length && before[lo + 1] < target)
        {
            lo++;
        }

        return starts[lo] + (target - before[lo]);
    }

    /// <summary>Working seconds in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public long WorkBetween(long from, long to) => to <= from ? 0 : WorkBefore(to) - WorkBefore(from);

    /// <summary>Working seconds from the first interval up to <paramref name="t"/>.</summary>
    public long WorkBefore(long t)
    {
        int i = FirstEndingAfter(t);
        return i == starts.Length ? before[^1] : before[i] + Math.Max(0, t - starts[i]);
    }

    /// <summary>Whether <paramref name="t"/> is inside a working interval.</summary>
    public bool IsWorking(long t)
    {
        int i = FirstEndingAfter(t);
        return i < starts.Length && starts[i] <= t;
    }

    private int FirstEndingAfter(long t)
    {
        if (starts.Length == 0 || t < starts[0])
        {
            return 0;
        }

        long b = (t - starts[0]) / Bucket;
        if (b >= byInstant.Length)
        {
            return ends.Length;
        }

        int i = byInstant[b];
        while (i < ends.Length && ends[i] <= t)
        {
            i++;
        }

        return i;
    }

    /// <summary>These intervals without <paramref name="windows"/> (sorted or not; they may overlap).</summary>
    public WorkingTime Without(IEnumerable<(long From, long To)> windows)
    {
        var cuts = windows.Where(w => w.To > w.From).OrderBy(w => w.From).ToList();
        if (cuts.Count == 0)
        {
            return this;
        }

        var result = new List<(long, long)>(starts.Length + cuts.Count);
        int c = 0;
        for (int i = 0; i < starts.Length; i++)
        {
            long s = starts[i], e = ends[i];
            while (c < cuts.Count && cuts[c].To <= s)
            {
                c++;
            }

            for (int k = c; k < cuts.Count && cuts[k].From < e && s < e; k++)
            {
                if (cuts[k].From > s)
                {
                    result.Add((s, Math.Min(e, cuts[k].From)));
                }

                s = Math.Max(s, cuts[k].To);
            }

            if (s < e)
            {
                result.Add((s, e));
            }
        }

        return new WorkingTime(result) { Horizon = Horizon };
    }

    /// <summary>
    /// The working intervals of <paramref name="calendar"/> in [<paramref name="from"/>, <paramref name="to"/>) (Unix
    /// seconds): each shift on its days in the plant's <paramref name="zone"/>, past midnight when it ends at or before
    /// its start (a night shift belongs to the day it starts on, and a holiday is a day whose shifts do not start), its
    /// breaks cut out (a break earlier in the clock than the shift's start is on the next day). Adjacent shifts merge.
    /// A calendar without shifts works around the clock.
    /// </summary>
    public static WorkingTime Of(WorkCalendar calendar, TimeZoneInfo zone, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(zone);
        if (calendar.Shifts.Count == 0)
        {
            return new WorkingTime([(from, to)]) { Horizon = to };
        }

        var holidays = calendar.Holidays.ToHashSet();
        var pieces = new List<(long Start, long End)>();
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(from), zone).DateTime).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(to), zone).DateTime);
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (holidays.Contains(day))
            {
                continue;
            }

            foreach (var shift in calendar.Shifts)
            {
                if (!shift.Days.Contains(day.DayOfWeek))
                {
                    continue;
                }

                long start = Instant(zone, day, shift.Start);
                long end = Instant(zone, shift.End <= shift.Start ? day.AddDays(1) : day, shift.End);
                var breaks = shift.Breaks
                    .Select(b => (From: Instant(zone, b.Start < shift.Start ? day.AddDays(1) : day, b.Start),
                        To: Instant(zone, b.End <= shift.Start ? day.AddDays(1) : day, b.End)))
                    .Where(b => b.To > b.From)
                    .OrderBy(b => b.From);
                long s = start;
                foreach (var (bFrom, bTo) in breaks)
                {
                    if (bFrom > s)
                    {
                        pieces.Add((s, Math.Min(bFrom, end)));
                    }

                    s = Math.Max(s, bTo);
                }

                if (s < end)
                {
                    pieces.Add((s, end));
                }
            }
        }

        pieces.Sort();
        var merged = new List<(long, long)>(pieces.Count);
        foreach (var (s0, e0) in pieces)
        {
            long s = Math.Max(s0, from), e = Math.Min(e0, to);
            if (e <= s)
            {
                continue;
            }

            if (merged.Count > 0 && merged[^1].Item2 >= s)
            {
                merged[^1] = (merged[^1].Item1, Math.Max(merged[^1].Item2, e));
            }
            else
            {
                merged.Add((s, e));
            }
        }

        return new WorkingTime(merged) { Horizon = to };
    }

    /// <summary>The instant of a plant-local time; a time a change to summer time skips is the first instant after the gap.</summary>
    public static long Instant(TimeZoneInfo zone, DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUnixTimeSeconds();
    }
}
