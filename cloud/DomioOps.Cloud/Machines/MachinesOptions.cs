using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// How the machines pages read the live state and the history (section <c>Machines</c>): staleness, the plant's time zone
/// and, until production tracking brings shift calendars, its shifts (every day the same, each starting at a local time
/// and ending where the next one starts).
/// </summary>
public sealed class MachinesOptions
{
    public const string Section = "Machines";

    /// <summary>
    /// A machine with no sample for longer than this is shown as stale (greyed, "last seen"), as it is when its edge is
    /// offline. Longer than the slowest poll of any device, so a quiet but connected machine does not flicker.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A live-update connection whose send has not completed within this is closed: a terminal asleep with its socket
    /// open, or a client on a dead network. Until then SignalR queues that connection's changes; no other client waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HubSendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The plant's time zone (an IANA id such as <c>Europe/Moscow</c>): "energy today" counts from its midnight, shifts and
    /// days are in it, and so are the clock times the pages show. Empty: the host's own time zone.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>The local start of each shift, <c>HH:mm</c>; <see cref="DefaultShiftStarts"/> when none is given.</summary>
    public List<string> ShiftStarts { get; set; } = [];

    public static IReadOnlyList<string> DefaultShiftStarts { get; } = ["06:00", "14:00", "22:00"];

    /// <summary>The plant's time zone; call on validated options only.</summary>
    internal TimeZoneInfo Zone() =>
        string.IsNullOrWhiteSpace(TimeZone) ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
