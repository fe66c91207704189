using DomioOps.Cloud.Machines;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Oee;

/// <summary>Pieces a machine's counter added at <see cref="At"/>, made at <see cref="Cycle"/> ideally (null: the input's ideal cycle).</summary>
internal readonly record struct PieceIncrement(DateTimeOffset At, long Count, TimeSpan? Cycle = null);

/// <summary>Scrap an operator reported at <see cref="At"/> (negative: a correction of an earlier report).</summary>
internal readonly record struct ScrapCount(DateTimeOffset At, long Pieces);

/// <summary>
/// A stop: a run of states other than Working that began at <see cref="Since"/> (or at the start of the input's intervals),
/// in <see cref="State"/> first, and the planned time it took.
/// </summary>
internal sealed record StopTime(DateTimeOffset Since, TimeSpan Time, MachineState? State);

/// <summary>
/// What OEE is computed from, for one window (a shift occurrence, or the part of it up to now): the planned production
/// windows in it (shift time minus breaks, holidays and planned maintenance), the machine's state intervals (they may
/// overlap and leave gaps), the counter's increments, the scrap reported, and the ideal cycle of a piece.
/// </summary>
internal sealed record OeeInput(
    TimeRange Window,
    IReadOnlyList<TimeRange> Planned,
    IReadOnlyList<StateInterval> States,
    IReadOnlyList<PieceIncrement> Pieces,
    IReadOnlyList<ScrapCount> Scrap,
    TimeSpan IdealCycle);

internal sealed record OeeResult(OeeFigures Figures, IReadOnlyList<StopTime> Stops);

/// <summary>
/// OEE as ISO 22400-2 defines it, with the machine's states mapped as OPC 40001-1 Annex C.2 maps MachineryItemState:
/// Working (Executing) is run time, Ready and Standby (NotExecuting) delay, Error and Offline (OutOfService,
/// NotAvailable) down, and time with no known state down. Only planned time counts. A pure function: the same input
/// always gives the same figures, whichever caller (store, dashboard, shift report) asks.
/// </summary>
internal static class OeeCalculator
{
    public static OeeResult Compute(OeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var planned = Normalise(input.Planned, input.Window);
        var states = Sequence(input.States, input.Window);

        long run = 0, delay = 0, down = 0;
        var stops = new List<StopTime>();
        (DateTimeOffset Since, MachineState? State, long Time)? stop = null;
        var firstPlanned = 0;
        foreach (var segment in states)
        {
            long inPlan = 0;
            // Planned windows and segments are both sorted and disjoint: walk them together.
            while (firstPlanned < planned.Count && planned[firstPlanned].To <= segment.From)
            {
                firstPlanned++;
            }

            for (var i = firstPlanned; i < planned.Count && planned[i].From < segment.To; i++)
            {
                var from = planned[i].From > segment.From ? planned[i].From : segment.From;
                var to = planned[i].To < segment.To ? planned[i].To : segment.To;
                inPlan += (to - from).Ticks;
            }

            switch (segment.State)
            {
                case MachineState.Working:
                    run += inPlan;
                    if (stop is { } ended)
                    {
                        Close(stops, ended);
                        stop = null;
                    }

                    continue;
                case MachineState.Ready or MachineState.Standby:
                    delay += inPlan;
                    break;
                default:
                    down += inPlan;
                    break;
            }

            stop = stop is { } open ? open with { Time = open.Time + inPlan } : (segment.From, segment.State, inPlan);
        }

        if (stop is { } last)
        {
            Close(stops, last);
        }

        long pieces = 0, ideal = 0;
        foreach (var increment in input.Pieces)
        {
            if (increment.Count > 0 && Contains(planned, increment.At))
            {
                pieces += increment.Count;
                ideal += increment.Count * (increment.Cycle ?? input.IdealCycle).Ticks;
            }
        }

        var scrap = input.Scrap.Where(s => s.At >= input.Window.From && s.At < input.Window.To).Sum(s => s.Pieces);
        var figures = new OeeFigures(TimeSpan.FromTicks(run + delay + down), TimeSpan.FromTicks(run), TimeSpan.FromTicks(delay),
            TimeSpan.FromTicks(down), pieces, scrap, TimeSpan.FromTicks(ideal));
        return new OeeResult(figures, stops);
    }

    private static void Close(List<StopTime> stops, (DateTimeOffset Since, MachineState? State, long Time) stop)
    {
        if (stop.Time > 0)
        {
            stops.Add(new StopTime(stop.Since, TimeSpan.FromTicks(stop.Time), stop.State));
        }
    }

    /// <summary>The windows cut to <paramref name="window"/>, sorted, overlapping ones joined.</summary>
    internal static List<TimeRange> Normalise(IEnumerable<TimeRange> windows, TimeRange window)
    {
        var result = new List<TimeRange>();
        foreach (var range in windows.Select(w => new TimeRange(w.From > window.From ? w.From : window.From, w.To < window.To ? w.To : window.To))
            .Where(w => w.To > w.From).OrderBy(w => w.From))
        {
            if (result.Count > 0 && range.From <= result[^1].To)
            {
                if (range.To > result[^1].To)
                {
                    result[^1] = result[^1] with { To = range.To };
                }
            }
            else
            {
                result.Add(range);
            }
        }

        return result;
    }

    /// <summary>
    /// One sequence of state intervals covering <paramref name="window"/> exactly: where records overlap, the one that began
    /// last holds (a state lasts until the next one begins; two stop records for one stretch count once); a gap is unknown.
    /// </summary>
    internal static List<StateInterval> Sequence(IReadOnlyList<StateInterval> intervals, TimeRange window)
    {
        var clipped = intervals
            .Select((i, index) => (From: i.From > window.From ? i.From : window.From, To: i.To < window.To ? i.To : window.To, i.State, Index: index))
            .Where(i => i.To > i.From)
            .ToList();
        var boundaries = new SortedSet<DateTimeOffset>(clipped.SelectMany(i => new[] { i.From, i.To })) { window.From, window.To };
        var starting = clipped.ToLookup(i => i.From);
        var ending = clipped.ToLookup(i => i.To);
        // The intervals covering the current instant, the latest begun last (ties: the later record).
        var active = new SortedSet<(DateTimeOffset From, int Index)>();
        var result = new List<StateInterval>();
        DateTimeOffset? previous = null;
        foreach (var boundary in boundaries)
        {
            if (previous is { } from && boundary > from)
            {
                var state = active.Count > 0 ? clipped[IndexOf(clipped, active.Max.Index)].State : null;
                if (result.Count > 0 && result[^1].State == state && result[^1].To == from)
                {
                    result[^1] = result[^1] with { To = boundary };
                }
                else
                {
                    result.Add(new StateInterval(state, from, boundary));
                }
            }

            foreach (var end in ending[boundary])
            {
                active.Remove((end.From, end.Index));
            }

            foreach (var start in starting[boundary])
            {
                active.Add((start.From, start.Index));
            }

            previous = boundary;
        }

        return result;
    }

    private static int IndexOf(List<(DateTimeOffset From, DateTimeOffset To, MachineState? State, int Index)> clipped, int index)
    {
        // clipped keeps the records' order, so its positions are found by binary search on Index.
        int lo = 0, hi = clipped.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (clipped[mid].Index < index)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static bool Contains(List<TimeRange> windows, DateTimeOffset at)
    {
        int lo = 0, hi = windows.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (at < windows[mid].From)
            {
                hi = mid - 1;
            }
            else if (at >= windows[mid].To)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
