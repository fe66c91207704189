using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Planning;

/// <summary>The planner (section <c>Planning</c>): how it waits for changes to settle, how far it plans, and the forecast.</summary>
public sealed class PlanningOptions
{
    public const string Section = "Planning";

    /// <summary>How long a reschedule waits after a change for more changes (a machine stopping, an operation finishing).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often it reschedules anyway (time passes; orders are imported and routings edited).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Refresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many days ahead the calendars are laid out first (further when the load needs it) and capacity is shown.</summary>
    [Range(7, 366)]
    public int HorizonDays { get; set; } = 56;

    /// <summary>Monte Carlo trials per forecast.</summary>
    [Range(10_000, 1_000_000)]
    public int Trials { get; set; } = 10_000;

    /// <summary>The forecast's seed: the same inputs give the same P50 and P90.</summary>
    public long Seed { get; set; } = 15;

    /// <summary>How far back the history of operations and breakdowns is read.</summary>
    [Range(1, 3650)]
    public int HistoryDays { get; set; } = 90;

    /// <summary>A breakdown's expected duration when the machine has no history of breakdowns (or this one lasts longer than all of them).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan DefaultRepair { get; set; } = TimeSpan.FromMinutes(30);
}
