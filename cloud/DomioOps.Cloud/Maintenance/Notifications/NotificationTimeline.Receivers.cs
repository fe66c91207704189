namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>Escalation steps (GoAlert) and quiet hours (per receiver).</summary>
internal sealed partial class NotificationTimeline
{
    private readonly Dictionary<(string Rule, long AlertId), Escalation> _escalations = [];
    private readonly Dictionary<(string Receiver, string Key), Held> _held = [];

    private void Escalate(DateTimeOffset now, List<AlertNotification> decided)
    {
        foreach (var (key, escalation) in _escalations.Where(e => e.Value.Due <= now).OrderBy(e => e.Value.Due).ThenBy(e => e.Key.AlertId).ToList())
        {
            if (!_groups.TryGetValue(escalation.GroupKey, out var group) || !group.Alerts.TryGetValue(escalation.AlertId, out var alert)
                || alert.Status != AlertStatus.Raised)
            {
                _escalations.Remove(key);
                continue;
            }

            var rule = escalation.Rule;
            var step = rule.Escalation[escalation.Step];
            foreach (var receiver in step.Receivers)
            {
                Deliver(new AlertNotification(now, receiver, NotificationKind.Escalation, rule.Name, group.Key, [alert], [], escalation.Step + 1), now, decided);
            }

            var next = escalation.Step + 1;
            if (next < rule.Escalation.Count)
            {
                _escalations[key] = escalation with { Step = next, Due = now + rule.Escalation[next].After };
            }
            else
            {
                _escalations.Remove(key);
            }
        }
    }

    /// <summary>Sends now, or holds through the receiver's quiet hours (merged with what it already holds for that group or alert).</summary>
    private void Deliver(AlertNotification message, DateTimeOffset now, List<AlertNotification> decided)
    {
        var receiver = options.Receivers.GetValueOrDefault(message.Receiver);
        var until = receiver?.QuietHours is { } quiet ? QuietUntil(quiet, now) : null;
        var key = (message.Receiver, message.Kind == NotificationKind.Group ? message.GroupKey : $"{message.GroupKey}#{message.Firing[0].AlertId}");
        if (_held.Remove(key, out var held) && held.Message.Kind == NotificationKind.Group)
        {
            // The newer message has the group's firing alerts; the held one's resolutions are still news.
            var firing = message.Firing.Select(a => a.AlertId).ToHashSet();
            var resolved = held.Message.Resolved.Concat(message.Resolved).Where(a => !firing.Contains(a.AlertId))
                .DistinctBy(a => a.AlertId).OrderBy(a => a.AlertId).ToList();
            message = message with { Resolved = resolved };
        }

        if (until is null || (receiver!.QuietHours!.CriticalBreaksThrough && message.Firing.Any(a => a.Severity == AlertSeverity.Critical)))
        {
            decided.Add(message);
            return;
        }

        _held[key] = new Held(message, until.Value);
    }

    /// <summary>Held messages whose quiet hours ended go out; an escalation whose alert was acknowledged meanwhile does not.</summary>
    private void Release(DateTimeOffset now, List<AlertNotification> decided)
    {
        foreach (var (key, held) in _held.Where(h => h.Value.Until <= now).OrderBy(h => h.Value.Until).ThenBy(h => h.Key.Receiver, StringComparer.Ordinal).ToList())
        {
            _held.Remove(key);
            var message = held.Message;
            if (message.Kind == NotificationKind.Escalation
                && !(_groups.TryGetValue(message.GroupKey, out var group) && group.Alerts.TryGetValue(message.Firing[0].AlertId, out var alert) && alert.Status == AlertStatus.Raised))
            {
                continue;
            }

            decided.Add(message with { At = now });
        }
    }

    /// <summary>When the quiet hours that hold at <paramref name="now"/> end; null outside them.</summary>
    internal static DateTimeOffset? QuietUntil(QuietHours quiet, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(quiet.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var clock = TimeOnly.FromDateTime(local.DateTime);
        var today = DateOnly.FromDateTime(local.DateTime);
        DateOnly endDay;
        if (quiet.From < quiet.To)
        {
            if (clock < quiet.From || clock >= quiet.To)
            {
                return null;
            }

            endDay = today;
        }
        else
        {
            if (clock < quiet.From && clock >= quiet.To)
            {
                return null;
            }

            endDay = clock >= quiet.From ? today.AddDays(1) : today;
        }

        var end = endDay.ToDateTime(quiet.To, DateTimeKind.Unspecified);
        return new DateTimeOffset(end, zone.GetUtcOffset(end)).ToUniversalTime();
    }

    private sealed record Escalation(NotificationRule Rule, long AlertId, string GroupKey, int Step, DateTimeOffset Due);

    private sealed record Held(AlertNotification Message, DateTimeOffset Until);
}
