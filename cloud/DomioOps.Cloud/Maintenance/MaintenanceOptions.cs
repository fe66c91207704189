using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Maintenance;

/// <summary>Failure prediction (section <c>Maintenance</c>): how often every machine is scored with its class's active model.</summary>
public sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    /// <summary>Whether this silo scores the machines (one silo of a cluster does a round at a time, whichever takes the lock).</summary>
    public bool Scoring { get; set; } = true;

    /// <summary>Time between scoring rounds; the hysteresis of the models' alert policies counts in rounds, chosen in training for rounds this far apart (ClassHistory.Step).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ScoringInterval { get; set; } = TimeSpan.FromMinutes(10);
}
