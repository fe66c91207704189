using System.Globalization;

using DomioOps.Cloud.Maintenance.Notifications;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>
/// Replays alert notices on a virtual clock through a <see cref="NotificationTimeline"/>, stepping the clock from one due
/// time to the next, and writes each message as "HH:mm:ss receiver Kind F[firing ids] R[resolved ids]".
/// </summary>
internal sealed class TimelineReplay
{
    private readonly FakeTimeProvider _time;
    private readonly NotificationTimeline _timeline;

    public TimelineReplay(NotificationOptions options, DateTimeOffset start)
    {
        _time = new FakeTimeProvider(start);
        _timeline = new NotificationTimeline(options, _time);
    }

    public List<string> Sent { get; } = [];

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Runs the timeline to <paramref name="at"/>, then publishes the notice there.</summary>
    public void Publish(DateTimeOffset at, long id, AlertStatus status, string machine = "saw-1", AlertSeverity severity = AlertSeverity.Warning,
        string? workCentre = null, string? title = null)
    {
        RunUntil(at);
        _timeline.Publish(new AlertNotice(id, machine, workCentre, severity, status, title ?? $"Alert {id}", "text", $"/maintenance/alerts/{id}", at));
        RunUntil(at);
    }

    public void RunUntil(DateTimeOffset end)
    {
        while (_timeline.NextDue is { } due && due <= end)
        {
            if (due > Now)
            {
                _time.SetUtcNow(due);
            }

            foreach (var message in _timeline.Poll().OrderBy(m => m.Receiver, StringComparer.Ordinal))
            {
                var kind = message.Kind == NotificationKind.Group ? "Group" : $"Escalation{message.EscalationStep}";
                Sent.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{message.At:HH:mm:ss} {message.Receiver} {kind} F[{string.Join(',', message.Firing.Select(a => a.AlertId))}] R[{string.Join(',', message.Resolved.Select(a => a.AlertId))}]"));
            }
        }

        if (end > Now)
        {
            _time.SetUtcNow(end);
        }
    }
}
