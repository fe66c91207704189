using System.Globalization;

using DomioOps.Models.Wire;

using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Machines.Pages;

/// <summary>How a machine's page words values, durations, states and times, in the person's language.</summary>
public sealed class MachineText(IStringLocalizer text, TimeZoneInfo zone)
{
    public string Duration(TimeSpan duration)
    {
        var d = duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return d.TotalDays >= 1 ? text["Machine.Duration.Days", (int)d.TotalDays, d.Hours]
            : d.TotalHours >= 1 ? text["Machine.Duration.Hours", d.Hours, d.Minutes]
            : d.TotalMinutes >= 1 ? text["Machine.Duration.Minutes", d.Minutes, d.Seconds]
            : text["Machine.Duration.Seconds", d.Seconds];
    }

    public string State(MachineState state) => text["Machine.State." + state];

    /// <summary>The CSS name of a state (its colour: <c>--state-*</c>); <c>unknown</c> before the first known state.</summary>
    public static string Css(MachineState? state) => state?.ToString().ToLowerInvariant() ?? "unknown";

    public string SignalName(Signal signal) => text[SignalUnits.NameKey(signal)];

    /// <summary>A signal's value as the page shows it: a number with its unit, or the word for a state, mode, flag.</summary>
    public string Value(Signal signal, double value)
    {
        var unit = SignalUnits.Of(signal);
        var whole = (int)Math.Clamp(Math.Round(value), int.MinValue, int.MaxValue);
        return unit.Kind switch
        {
            SignalKind.State => State(StateTimeline.StateOf(value)),
            SignalKind.Mode when whole is >= 0 and <= 5 => text["Machine.Mode." + whole.ToString(CultureInfo.InvariantCulture)],
            SignalKind.TrimmingUnit when whole is >= 0 and <= 3 => text["Machine.Trimming." + whole.ToString(CultureInfo.InvariantCulture)],
            SignalKind.Flag => whole != 0 ? text["Machine.Flag.On"] : text["Machine.Flag.Off"],
            SignalKind.AlarmCode when whole == 0 => text["Machine.Alarm.None"],
            _ when unit.Unit is { } name => $"{SignalUnits.Number(signal, value, CultureInfo.CurrentCulture)} {text[SignalUnits.UnitKey(name)]}",
            _ => SignalUnits.Number(signal, value, CultureInfo.CurrentCulture),
        };
    }

    /// <summary>A time of day in the plant's time zone.</summary>
    public string Time(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).ToString("t", CultureInfo.CurrentCulture);

    /// <summary>A date and time in the plant's time zone.</summary>
    public string DateTime(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).ToString("g", CultureInfo.CurrentCulture);

    /// <summary>A day in the culture's short form with its weekday.</summary>
    public static string Day(DateOnly day) => day.ToString("ddd d MMM", CultureInfo.CurrentCulture);

    /// <summary>The machine-readable form of a time, for a <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
