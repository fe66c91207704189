using System.Globalization;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>Why a message goes out: a group's message (Alertmanager timing) or an escalation step (GoAlert).</summary>
internal enum NotificationKind
{
    Group,
    Escalation,
}

/// <summary>
/// A message the timeline decided to send to one receiver at <paramref name="At"/>: the alerts firing in its group (or
/// the escalated alert) and those resolved since the group's last message.
/// </summary>
internal sealed record AlertNotification(DateTimeOffset At, string Receiver, NotificationKind Kind, string Rule, string GroupKey,
    IReadOnlyList<AlertNotice> Firing, IReadOnlyList<AlertNotice> Resolved, int EscalationStep = 0)
{
    public AlertSeverity Severity => Firing.Concat(Resolved).Select(a => a.Severity).DefaultIfEmpty(AlertSeverity.Info).Max();

    /// <summary>One line subject: "[Critical] saw-1: Spindle bearing wear (+1 more)", or "Resolved: …".</summary>
    public string Subject
    {
        get
        {
            var prefix = Kind == NotificationKind.Escalation ? $"Escalation {EscalationStep}: " : "";
            if (Firing.Count == 0)
            {
                var first = Resolved[0];
                return $"{prefix}Resolved: {first.Machine}: {first.Title}{More(Resolved.Count)}";
            }

            var top = Firing.OrderByDescending(a => a.Severity).ThenBy(a => a.AlertId).First();
            return $"{prefix}[{top.Severity}] {top.Machine}: {top.Title}{More(Firing.Count)}";
        }
    }

    /// <summary>Plain text: the firing alerts, then the resolved ones, each with its text and link.</summary>
    public string Body
    {
        get
        {
            var text = new System.Text.StringBuilder();
            if (Firing.Count > 0)
            {
                text.Append("Firing:\n");
                foreach (var alert in Firing)
                {
                    text.Append(CultureInfo.InvariantCulture, $"- [{alert.Severity}] {alert.Machine}{Centre(alert)}: {alert.Title}\n  {alert.Text}\n  {alert.Link}\n");
                }
            }

            if (Resolved.Count > 0)
            {
                text.Append(Firing.Count > 0 ? "\nResolved:\n" : "Resolved:\n");
                foreach (var alert in Resolved)
                {
                    text.Append(CultureInfo.InvariantCulture, $"- {alert.Machine}{Centre(alert)}: {alert.Title}\n  {alert.Link}\n");
                }
            }

            return text.ToString();
        }
    }

    private static string More(int count) => count > 1 ? $" (+{count - 1} more)" : "";

    private static string Centre(AlertNotice alert) => alert.WorkCentre is { } centre ? $" ({centre})" : "";
}
