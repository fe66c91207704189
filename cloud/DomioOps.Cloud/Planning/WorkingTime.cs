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

    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly long[] _before;
    // For each hour from the first start, the first interval ending after its beginning; for each hour of working
    // seconds, the interval in which that much work is reached. Both turn a search into a step or two.
    private readonly int[] _byInstant;
    private readonly int[] _byWork;

    public WorkingTime(IReadOnlyList<(long Start, long End)> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        var count = intervals.Count;
        _starts = new long[count];
        _ends = new long[count];
        _before = new long[count + 1];
        for (var i = 0; i < count; i++)
        {
            (_starts[i], _ends[i]) = intervals[i];
            _before[i + 1] = _before[i] + (_ends[i] - _starts[i]);
        }

        _byInstant = new int[count == 0 ? 0 : ((_ends[^1] - _starts[0]) / Bucket) + 1];
        for (int bucket = 0, i = 0; bucket < _byInstant.Length; bucket++)
        {
            var at = _starts[0] + (bucket * Bucket);
            while (i < count && _ends[i] <= at)
            {
                i++;
            }

            _byInstant[bucket] = i;
        }

        _byWork = new int[(_before[^1] / Bucket) + 1];
        for (int k = 0, i = 0; k < _byWork.Length; k++)
        {
            // The last interval i whose work before it is under k hours (or the first).
            while (i + 1 < count && _before[i + 1] < k * Bucket)
            {
                i++;
            }

            _byWork[k] = i;
        }
    }

    public int Count => _starts.Length;

    /// <summary>The last instant it covers (the horizon).</summary>
    public long Horizon { get; init; }

    public long TotalSeconds => _before[^1];

    public (long Start, long End) this[int index] => (_starts[index], _ends[index]);

    /// <summary>The first working instant at or after <paramref name="t"/>; <see cref="long.MaxValue"/> past the horizon.</summary>
    public long NextWorking(long t)
    {
        var i = FirstEndingAfter(t);
        return i == _starts.Length ? long.MaxValue : Math.Max(t, _starts[i]);
    }

    /// <summary>The instant <paramref name="work"/> working seconds after <paramref name="t"/>; <see cref="long.MaxValue"/> past the horizon.</summary>
    public long Advance(long t, long work)
    {
        var target = WorkBefore(t) + work;
        if (work <= 0)
        {
            return NextWorking(t);
        }

        if (target > _before[^1])
        {
            return long.MaxValue;
        }

        // The interval in which the target-th working second ends: the last i with before[i] < target.
        var lo = _byWork[(target - 1) / Bucket];
        while (lo + 1 < _starts.Length && _before[lo + 1] < target)
        {
            lo++;
        }

        return _starts[lo] + (target - _before[lo]);
    }

    /// <summary>Working seconds in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public long WorkBetween(long from, long to) => to <= from ? 0 : WorkBefore(to) - WorkBefore(from);

    /// <summary>Working seconds from the first interval up to <paramref name="t"/>.</summary>
    public long WorkBefore(long t)
    {
        var i = FirstEndingAfter(t);
        return i == _starts.Length ? _before[^1] : _before[i] + Math.Max(0, t - _starts[i]);
    }

    /// <summary>Whether <paramref name="t"/> is inside a working interval.</summary>
    public bool IsWorking(long t)
    {
        var i = FirstEndingAfter(t);
        return i < _starts.Length && _starts[i] <= t;
    }

    private int FirstEndingAfter(long t)
    {
        if (_starts.Length == 0 || t < _starts[0])
        {
            return 0;
        }

        var bucket = (t - _starts[0]) / Bucket;
        if (bucket >= _byInstant.Length)
        {
            return _ends.Length;
        }

        var i = _byInstant[bucket];
        while (i < _ends.Length && _ends[i] <= t)
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

        var result = new List<(long, long)>(_starts.Length + cuts.Count);
        var firstCut = 0;
        for (var i = 0; i < _starts.Length; i++)
        {
            long pieceStart = _starts[i], pieceEnd = _ends[i];
            while (firstCut < cuts.Count && cuts[firstCut].To <= pieceStart)
            {
                firstCut++;
            }

            for (var k = firstCut; k < cuts.Count && cuts[k].From < pieceEnd && pieceStart < pieceEnd; k++)
            {
                if (cuts[k].From > pieceStart)
                {
                    result.Add((pieceStart, Math.Min(pieceEnd, cuts[k].From)));
                }

                pieceStart = Math.Max(pieceStart, cuts[k].To);
            }

            if (pieceStart < pieceEnd)
            {
                result.Add((pieceStart, pieceEnd));
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

                var start = Instant(zone, day, shift.Start);
                var end = Instant(zone, shift.End <= shift.Start ? day.AddDays(1) : day, shift.End);
                var breaks = shift.Breaks
                    .Select(b => (From: Instant(zone, b.Start < shift.Start ? day.AddDays(1) : day, b.Start),
                        To: Instant(zone, b.End <= shift.Start ? day.AddDays(1) : day, b.End)))
                    .Where(b => b.To > b.From)
                    .OrderBy(b => b.From);
                var cursor = start;
                foreach (var (bFrom, bTo) in breaks)
                {
                    if (bFrom > cursor)
                    {
                        pieces.Add((cursor, Math.Min(bFrom, end)));
                    }

                    cursor = Math.Max(cursor, bTo);
                }

                if (cursor < end)
                {
                    pieces.Add((cursor, end));
                }
            }
        }

        pieces.Sort();
        var merged = new List<(long, long)>(pieces.Count);
        foreach (var (shiftStart, shiftEnd) in pieces)
        {
            long pieceStart = Math.Max(shiftStart, from), pieceEnd = Math.Min(shiftEnd, to);
            if (pieceEnd <= pieceStart)
            {
                continue;
            }

            if (merged.Count > 0 && merged[^1].Item2 >= pieceStart)
            {
                merged[^1] = (merged[^1].Item1, Math.Max(merged[^1].Item2, pieceEnd));
            }
            else
            {
                merged.Add((pieceStart, pieceEnd));
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
