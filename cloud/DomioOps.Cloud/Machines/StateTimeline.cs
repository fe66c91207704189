using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>A stretch of time in one state; <see cref="State"/> is null before the first state the history knows.</summary>
public sealed record StateInterval(MachineState? State, DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;
}

/// <summary>
/// A machine's states over <see cref="Window"/> (a shift, a day), known up to <see cref="Until"/> (now, or the window's
/// end if it is past): the intervals in order, and the time in each state summed.
/// </summary>
public sealed record StateHistory(TimeRange Window, DateTimeOffset Until, IReadOnlyList<StateInterval> Intervals)
{
    /// <summary>Time in each state that occurs, in the order of the states' numbers.</summary>
    public IReadOnlyList<KeyValuePair<MachineState, TimeSpan>> Totals { get; } = [.. Intervals
        .Where(i => i.State is not null)
        .GroupBy(i => i.State!.Value)
        .OrderBy(g => g.Key)
        .Select(g => KeyValuePair.Create(g.Key, TimeSpan.FromTicks(g.Sum(i => i.Length.Ticks))))];

    /// <summary>Time of the window up to <see cref="Until"/> before the first known state.</summary>
    public TimeSpan Unknown { get; } = TimeSpan.FromTicks(Intervals.Where(i => i.State is null).Sum(i => i.Length.Ticks));

    /// <summary>
    /// The strip a page draws, at most <paramref name="slots"/> segments wide: the intervals themselves when there are no
    /// more, else the window cut into that many slots, each in the state that filled most of it (a saw that works and
    /// loads by turns every minute draws as working, not as a thousand slivers), equal neighbours joined.
    /// </summary>
    public StateStrip ToStrip(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var length = (double)Window.Length.Ticks;
        double At(DateTimeOffset time) => (time - Window.From).Ticks / length;
        var segments = new List<StripSegment>();
        if (Intervals.Count <= slots)
        {
            segments.AddRange(Intervals.Select(i => new StripSegment(i.State, At(i.From), At(i.To))));
        }
        else
        {
            var next = 0;
            for (var slot = 0; slot < slots; slot++)
            {
                var from = Window.From + TimeSpan.FromTicks((long)(Window.Length.Ticks * (double)slot / slots));
                var to = Window.From + TimeSpan.FromTicks((long)(Window.Length.Ticks * (double)(slot + 1) / slots));
                if (from >= Until)
                {
                    break;
                }

                to = to < Until ? to : Until;
                // The intervals overlapping [from, to): the first one may have begun in an earlier slot.
                while (next < Intervals.Count && Intervals[next].To <= from)
                {
                    next++;
                }

                var fill = new Dictionary<int, long>();
                for (var i = next; i < Intervals.Count && Intervals[i].From < to; i++)
                {
                    var overlap = (Intervals[i].To < to ? Intervals[i].To : to) - (Intervals[i].From > from ? Intervals[i].From : from);
                    var key = Intervals[i].State is { } state ? (int)state : -1;
                    fill[key] = fill.GetValueOrDefault(key) + overlap.Ticks;
                }

                // Most time wins; a tie goes to the state with the lowest number (unknown first), the same every time.
                var winner = fill.OrderByDescending(f => f.Value).ThenBy(f => f.Key).First().Key;
                var segment = new StripSegment(winner < 0 ? null : (MachineState)winner, At(from), At(to));
                if (segments.Count > 0 && segments[^1].State == segment.State)
                {
                    segments[^1] = segments[^1] with { End = segment.End };
                }
                else
                {
                    segments.Add(segment);
                }
            }
        }

        return new StateStrip(Window, Until, segments, Totals, Unknown);
    }
}

/// <summary>A stretch of a state strip, from <see cref="Start"/> to <see cref="End"/> as fractions (0 to 1) of its window.</summary>
public sealed record StripSegment(MachineState? State, double Start, double End);

/// <summary>What a page shows of a <see cref="StateHistory"/>: the strip and the time in each state.</summary>
public sealed record StateStrip(
    TimeRange Window,
    DateTimeOffset Until,
    IReadOnlyList<StripSegment> Segments,
    IReadOnlyList<KeyValuePair<MachineState, TimeSpan>> Totals,
    TimeSpan Unknown);

/// <summary>
/// The state timeline of a machine from the MachineState samples in the history: a state lasts from its sample until the
/// next different one; the window starts in the state of the last sample before it.
/// </summary>
internal sealed class StateTimeline(SignalChanges changes)
{
    public async Task<StateHistory> ReadAsync(string machine, TimeRange window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var until = now < window.To ? now : window.To;
        if (until <= window.From)
        {
            return new StateHistory(window, window.From, []);
        }

        var read = await changes.ReadAsync(machine, Signal.MachineState, window with { To = until }, cancellationToken).ConfigureAwait(false);
        return new StateHistory(window, until, Intervals(read, window.From, until));
    }

    /// <summary>The intervals of [<paramref name="from"/>, <paramref name="until"/>) from the changes (the first may be before <paramref name="from"/>).</summary>
    internal static List<StateInterval> Intervals(IReadOnlyList<SignalChange> changes, DateTimeOffset from, DateTimeOffset until)
    {
        var intervals = new List<StateInterval>();
        var (cursor, state) = (from, (MachineState?)null);
        foreach (var change in changes)
        {
            var next = StateOf(change.Value);
            if (change.Time >= until)
            {
                break;
            }

            if (change.Time > cursor)
            {
                Add(intervals, new StateInterval(state, cursor, change.Time));
                cursor = change.Time;
            }

            state = next;
        }

        Add(intervals, new StateInterval(state, cursor, until));
        return intervals;
    }

    /// <summary>As the machine grain reads it: a number that is not a state is an error.</summary>
    internal static MachineState StateOf(double value) =>
        value is >= 0 and <= int.MaxValue && Enum.IsDefined((MachineState)(int)value) ? (MachineState)(int)value : MachineState.Error;

    private static void Add(List<StateInterval> intervals, StateInterval interval)
    {
        if (interval.To <= interval.From)
        {
            return;
        }

        // Two numbers that read as the same state (an unknown one is an error) make one interval.
        if (intervals.Count > 0 && intervals[^1].State == interval.State)
        {
            intervals[^1] = intervals[^1] with { To = interval.To };
            return;
        }

        intervals.Add(interval);
    }
}
