using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>When the factory works: shifts switch machines on and off, breaks stop production. No shifts: always on.</summary>
internal sealed class ShiftCalendar(IReadOnlyList<Shift> shifts)
{
    public bool AlwaysOn => shifts.Count == 0;

    /// <summary>Whether machines are switched on at <paramref name="at"/>, and whether a break holds production.</summary>
    public (bool OnShift, bool OnBreak) At(DateTimeOffset at)
    {
        if (AlwaysOn)
        {
            return (true, false);
        }

        bool onShift = false, onBreak = false;
        foreach (var (shiftStart, shiftEnd, breaks) in Intervals(at.UtcDateTime.Date.AddDays(-1), 2))
        {
            if (at >= shiftStart && at < shiftEnd)
            {
                onShift = true;
                onBreak |= breaks.Any(b => at >= b.Start && at < b.End);
            }
        }

        return (onShift, onBreak);
    }

    /// <summary>The first shift or break boundary after <paramref name="after"/>; MaxValue when there is none.</summary>
    public DateTimeOffset NextChange(DateTimeOffset after)
    {
        if (AlwaysOn)
        {
            return DateTimeOffset.MaxValue;
        }

        var next = DateTimeOffset.MaxValue;
        foreach (var (shiftStart, shiftEnd, breaks) in Intervals(after.UtcDateTime.Date.AddDays(-1), 9))
        {
            foreach (var boundary in breaks.SelectMany(b => new[] { b.Start, b.End }).Append(shiftStart).Append(shiftEnd))
            {
                if (boundary > after && boundary < next)
                {
                    next = boundary;
                }
            }
        }

        return next;
    }

    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End, List<(DateTimeOffset Start, DateTimeOffset End)> Breaks)> Intervals(DateTime firstDay, int days)
    {
        for (var day = 0; day < days; day++)
        {
            var date = new DateTimeOffset(DateTime.SpecifyKind(firstDay.AddDays(day), DateTimeKind.Utc));
            foreach (var shift in shifts)
            {
                if (shift.Days.Count > 0 && !shift.Days.Contains(date.DayOfWeek))
                {
                    continue;
                }

                var start = date + shift.Start;
                var end = date + shift.End + (shift.End <= shift.Start ? TimeSpan.FromDays(1) : TimeSpan.Zero);
                var breaks = shift.Breaks
                    .Select(b => date + b.Start + (b.Start < shift.Start ? TimeSpan.FromDays(1) : TimeSpan.Zero))
                    .Zip(shift.Breaks, (s, b) => (s, s + b.Duration))
                    .ToList();
                yield return (start, end, breaks);
            }
        }
    }
}
