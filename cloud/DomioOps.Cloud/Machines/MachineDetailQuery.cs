using System.Security.Claims;

namespace DomioOps.Cloud.Machines;

/// <summary>Everything a machine's page shows at once (it is carried from the prerendered page to the live one).</summary>
public sealed record MachineDetailData(
    MachineSnapshot Machine,
    StateStrip Shift,
    StateStrip Day,
    TimeRange AlarmWindow,
    IReadOnlyList<MachineAlarm> Alarms,
    IReadOnlyList<DailyEnergy>? Energy,
    string? MeterId,
    string? MeasuredMachineId,
    DateTimeOffset LoadedAt);

/// <summary>
/// A machine's page in one call: the machine if the caller may see it, the state strips of the current shift and of
/// today, its alarms of a recent window, and its energy per day (or the meter that measures it).
/// </summary>
internal sealed class MachineDetailQuery(
    VisibleMachines machines,
    StateTimeline timeline,
    MachineAlarms alarms,
    EnergyPerDay energy,
    ShiftCalendar calendar,
    TimeProvider time)
{
    /// <summary>The segments a strip is drawn with at most: a few pixels each on a wide screen.</summary>
    public const int StripSlots = 480;

    /// <summary>The days of energy shown, today included.</summary>
    public const int EnergyDays = 7;

    /// <summary>The page of machine <paramref name="id"/>, or null when there is no such machine the caller may see.</summary>
    public async Task<MachineDetailData?> ReadAsync(ClaimsPrincipal user, string id, TimeSpan alarmPeriod, CancellationToken cancellationToken)
    {
        if (await machines.FindAsync(user, id).ConfigureAwait(false) is not { } machine)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var (shift, day) = await ReadStripsAsync(id, now, cancellationToken).ConfigureAwait(false);
        var alarmWindow = new TimeRange(now - alarmPeriod, now);
        var alarmList = await alarms.ReadAsync(id, alarmWindow, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DailyEnergy>? days = null;
        string? meter = null, measured = null;
        if (VisibleMachines.CountsEnergy(machine))
        {
            days = await energy.ReadAsync(id, calendar.LastDays(now, EnergyDays), cancellationToken).ConfigureAwait(false);
            if (id.StartsWith(VisibleMachines.MeterPrefix, StringComparison.Ordinal))
            {
                measured = (await machines.FindAsync(user, id[VisibleMachines.MeterPrefix.Length..]).ConfigureAwait(false))?.Id;
            }
        }
        else
        {
            meter = (await machines.MeterOfAsync(user, id).ConfigureAwait(false))?.Id;
        }

        return new MachineDetailData(machine, shift, day, alarmWindow, alarmList, days, meter, measured, now);
    }

    /// <summary>The state strips of the shift and of the day <paramref name="now"/> falls in.</summary>
    public async Task<(StateStrip Shift, StateStrip Day)> ReadStripsAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var shift = await timeline.ReadAsync(id, calendar.ShiftAt(now), now, cancellationToken).ConfigureAwait(false);
        var day = await timeline.ReadAsync(id, calendar.DayAt(now), now, cancellationToken).ConfigureAwait(false);
        return (shift.ToStrip(StripSlots), day.ToStrip(StripSlots));
    }

    /// <summary>The alarms of the last <paramref name="period"/>.</summary>
    public async Task<(TimeRange Window, IReadOnlyList<MachineAlarm> Alarms)> ReadAlarmsAsync(string id, TimeSpan period, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = new TimeRange(now - period, now);
        return (window, await alarms.ReadAsync(id, window, cancellationToken).ConfigureAwait(false));
    }
}
