using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Machines;

/// <summary>How the machines board reads the live state (section <c>Machines</c>).</summary>
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
    /// The plant's time zone (an IANA id such as <c>Europe/Moscow</c>): "energy today" counts from its midnight and the
    /// board's clock times are in it. Empty: the host's own time zone.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>The plant's time zone; call on validated options only.</summary>
    internal TimeZoneInfo Zone() =>
        string.IsNullOrWhiteSpace(TimeZone) ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
