using System.Text.Json;
using System.Text.Json.Serialization;

using DomioOps.Cloud.Maintenance.Notifications;

namespace DomioOps.Cloud.Maintenance.Alerts;

/// <summary>How a person closed an alert; the next training reads it (a false alarm is a negative, a prevented failure a positive).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertVerdict>))]
public enum AlertVerdict
{
    TrueFailure,
    FalseAlarm,
    Prevented,
}

/// <summary>One signal that drove an alert, in words, with its share of the model's score (positive: towards failure) and the telemetry signal (domio.v1.Signal) it comes from, when one does.</summary>
public sealed record AlertReason(string Text, float Contribution, int? Signal = null);

/// <summary>A predicted failure of a machine: raised by the scoring, acknowledged and resolved by people.</summary>
public sealed record MaintenanceAlert(
    long Id,
    string MachineId,
    string MachineClass,
    long? ModelId,
    AlertSeverity Severity,
    AlertStatus Status,
    float Probability,
    float PeakProbability,
    float LastProbability,
    int HorizonMinutes,
    IReadOnlyList<AlertReason> Reasons,
    DateTimeOffset RaisedAt,
    DateTimeOffset ScoredAt,
    DateTimeOffset? ConditionClearedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    AlertVerdict? Verdict,
    string? Note)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const int MaxNoteLength = 500;

    public bool Open => Status != AlertStatus.Resolved;

    /// <summary>The severity of a probability: critical from 0.9, a warning below.</summary>
    public static AlertSeverity SeverityOf(float probability) => probability >= 0.9f ? AlertSeverity.Critical : AlertSeverity.Warning;

    public static string ReasonsJson(IReadOnlyList<AlertReason> reasons) => JsonSerializer.Serialize(reasons, Json);

    public static IReadOnlyList<AlertReason> ReasonsFrom(string json) => JsonSerializer.Deserialize<List<AlertReason>>(json, Json) ?? [];
}
