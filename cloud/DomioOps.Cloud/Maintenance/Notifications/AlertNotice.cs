namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>How urgent an alert is; rules hear an alert at their minimum severity or above.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Where an alert is in its lifecycle: raised, acknowledged by someone, resolved.</summary>
public enum AlertStatus
{
    Raised,
    Acknowledged,
    Resolved,
}

/// <summary>One step of an alert's lifecycle, published whenever it is raised, acknowledged or resolved.</summary>
public sealed record AlertNotice(long AlertId, string Machine, string? WorkCentre, AlertSeverity Severity,
    AlertStatus Status, string Title, string Text, string Link, DateTimeOffset At);

/// <summary>What the alerts publish to: routes each notice to its rules' receivers, with their timing.</summary>
public interface IAlertNotifications
{
    Task PublishAsync(AlertNotice notice, CancellationToken ct);
}
