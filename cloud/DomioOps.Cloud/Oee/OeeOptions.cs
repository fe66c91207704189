using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Oee;

/// <summary>How OEE is kept (section <c>Oee</c>).</summary>
internal sealed class OeeOptions
{
    public const string Section = "Oee";

    /// <summary>How often the marked hours are recomputed and the shifts that ended are stored.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RecomputeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How far back shifts that ended without a stored row are computed (at start, after downtime of the cloud).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "400.00:00:00")]
    public TimeSpan Backfill { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest range a query reads.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "800.00:00:00")]
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(400);
}
