namespace DomioOps.Cloud.Maintenance.Notifications;

public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

public enum AlertStatus
{
    Raised,
    Acknowledged,
    Resolved,
}

/// <summary>A change of a maintenance alert, as the notifications route it: raised, acknowledged or resolved.</summary>
public sealed record AlertNotice(long AlertId, string Machine, string? WorkCentre, AlertSeverity Severity,
    AlertStatus Status, string Title, string Text, string Link, DateTimeOffset At);

/// <summary>Routes alert changes to the people who hear them (Maintenance/Notifications).</summary>
public interface IAlertNotifications
{
    Task PublishAsync(AlertNotice notice, CancellationToken ct);
}
