using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>An alarm a machine raised: its code, when it started and when it ended (null while it is active).</summary>
public sealed record MachineAlarm(int Code, DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>How long it lasted, or has lasted by <paramref name="now"/> while it is active.</summary>
    public TimeSpan Duration(DateTimeOffset now) => (End ?? now) - Start;
}

/// <summary>
/// A machine's alarms from its Alarm signal in the history: a non-zero code starts an alarm, zero ends it, another
/// non-zero code ends it and starts the next. An alarm active when the window opens is shown from its real start.
/// </summary>
internal sealed class MachineAlarms(SignalChanges changes)
{
    /// <summary>The alarms that were active at some time in <paramref name="window"/>, newest first.</summary>
    public async Task<IReadOnlyList<MachineAlarm>> ReadAsync(string machine, TimeRange window, CancellationToken cancellationToken)
    {
        var read = await changes.ReadAsync(machine, Signal.Alarm, window, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? start = null;
        if (read is [var before, ..] && before.Time < window.From && Code(before.Value) != 0)
        {
            start = await changes.RunStartAsync(machine, Signal.Alarm, before.Value, window.From, cancellationToken).ConfigureAwait(false);
        }

        return Alarms(read, start);
    }

    /// <summary>The alarms of the changes, newest first; <paramref name="firstStart"/> is the real start of an alarm active before the first change.</summary>
    internal static List<MachineAlarm> Alarms(IReadOnlyList<SignalChange> changes, DateTimeOffset? firstStart = null)
    {
        var alarms = new List<MachineAlarm>();
        (int Code, DateTimeOffset Start)? open = null;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            var code = Code(change.Value);
            if (open is { } active && active.Code != code)
            {
                alarms.Add(new MachineAlarm(active.Code, active.Start, change.Time));
                open = null;
            }

            if (code != 0 && open is null)
            {
                open = (code, i == 0 && firstStart is { } real && real < change.Time ? real : change.Time);
            }
        }

        if (open is { } still)
        {
            alarms.Add(new MachineAlarm(still.Code, still.Start, null));
        }

        alarms.Reverse();
        return alarms;
    }

    private static int Code(double value) => double.IsFinite(value) ? (int)Math.Clamp(value, int.MinValue, int.MaxValue) : 0;
}
