namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>
/// Decides who is told what and when, on a <see cref="TimeProvider"/> and without I/O; one owner calls it (the
/// <see cref="NotificationPipeline"/> under its lock, or a test).
/// <list type="bullet">
/// <item>Grouping as Prometheus Alertmanager's dispatcher does it: an alert joins the group of each matching rule named
/// by the rule's group_by labels; a new group waits <c>GroupWait</c> and then every <c>GroupInterval</c> is looked at; it
/// sends when an alert fires that its last message did not have, when an alert told as firing has resolved (reported in
/// that message, then forgotten), or when the firing alerts were last told <c>RepeatInterval</c> ago. A group that has
/// nothing left is removed (the next alert starts a new one with <c>GroupWait</c>). An acknowledged alert stays in its
/// group without being repeated; its resolution is still reported.</item>
/// <item>Flapping (see <see cref="FlappingOptions"/>): such an alert is left out of the group's messages.</item>
/// <item>Quiet hours, per receiver: a message is held until they end (one per group, merged), unless a critical alert
/// fires in it and the receiver lets critical break through.</item>
/// <item>Escalation, per alert, as GoAlert's escalation policy: the rule's receivers are step 0, told by the group's first
/// message with the alert; while the alert stays unacknowledged and unresolved, step k is told <c>After</c> the step before.</item>
/// </list>
/// </summary>
internal sealed partial class NotificationTimeline(NotificationOptions options, TimeProvider time)
{
    private readonly Dictionary<string, AlertGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Machine, string Title), List<DateTimeOffset>> _changes = [];

    /// <summary>When <see cref="Poll"/> next has something to do; null when nothing waits.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            var next = _groups.Values.Select(g => (DateTimeOffset?)g.NextFlush)
                .Concat(_escalations.Values.Select(e => (DateTimeOffset?)e.Due))
                .Concat(_held.Values.Select(h => (DateTimeOffset?)h.Until))
                .Min();
            return next;
        }
    }

    /// <summary>Takes a raised, acknowledged or resolved alert into the groups of the rules that hear it.</summary>
    public void Publish(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var now = time.GetUtcNow();
        if (notice.Status != AlertStatus.Acknowledged)
        {
            var key = (notice.Machine, notice.Title);
            if (!_changes.TryGetValue(key, out var changes))
            {
                _changes[key] = changes = [];
            }

            changes.Add(now);
        }

        foreach (var rule in options.Rules.Where(r => Hears(r, notice)))
        {
            var groupKey = rule.Name + "{" + string.Join(",", rule.GroupLabels.Select(l => $"{l}={NotificationLabels.ValueOf(notice, l)}")) + "}";
            if (!_groups.TryGetValue(groupKey, out var group))
            {
                if (notice.Status != AlertStatus.Raised)
                {
                    continue; // an acknowledgement or resolution of an alert no group holds (told long ago, or never)
                }

                _groups[groupKey] = group = new AlertGroup(rule, groupKey, now + rule.GroupWait);
            }

            if (notice.Status != AlertStatus.Raised && !group.Alerts.ContainsKey(notice.AlertId))
            {
                continue;
            }

            group.Alerts[notice.AlertId] = notice;
            if (notice.Status != AlertStatus.Raised)
            {
                _escalations.Remove((rule.Name, notice.AlertId));
            }
        }
    }

    /// <summary>Everything due by now: group messages, escalation steps, messages held through quiet hours that end.</summary>
    public IReadOnlyList<AlertNotification> Poll()
    {
        var now = time.GetUtcNow();
        var decided = new List<AlertNotification>();
        foreach (var group in _groups.Values.Where(g => g.NextFlush <= now).OrderBy(g => g.NextFlush).ThenBy(g => g.Key, StringComparer.Ordinal).ToList())
        {
            Flush(group, now, decided);
        }

        Escalate(now, decided);
        Release(now, decided);
        PruneChanges(now);
        return decided;
    }

    private static bool Hears(NotificationRule rule, AlertNotice notice) =>
        notice.Severity >= rule.MinimumSeverity
        && (rule.Machines.Count == 0 || rule.Machines.Contains(notice.Machine, StringComparer.Ordinal))
        && (rule.WorkCentres.Count == 0 || (notice.WorkCentre is { } centre && rule.WorkCentres.Contains(centre, StringComparer.Ordinal)));

    private void Flush(AlertGroup group, DateTimeOffset now, List<AlertNotification> decided)
    {
        var rule = group.Rule;
        group.NextFlush = now + rule.GroupInterval;
        var firing = group.Alerts.Values.Where(a => a.Status == AlertStatus.Raised && !IsFlapping(a, now)).OrderBy(a => a.AlertId).ToList();
        var resolved = group.Alerts.Values.Where(a => a.Status == AlertStatus.Resolved && group.Announced.Contains(a.AlertId) && !IsFlapping(a, now))
            .OrderBy(a => a.AlertId).ToList();
        var changed = firing.Any(a => !group.LastFiring.Contains(a.AlertId)) || resolved.Count > 0;
        var repeat = firing.Count > 0 && group.LastSent is { } last && now - last >= rule.RepeatInterval;
        if (changed || repeat)
        {
            foreach (var alert in firing.Where(a => !group.Announced.Contains(a.AlertId) && rule.Escalation.Count > 0))
            {
                _escalations[(rule.Name, alert.AlertId)] = new Escalation(rule, alert.AlertId, group.Key, 0, now + rule.Escalation[0].After);
            }

            group.LastFiring = [.. firing.Select(a => a.AlertId)];
            group.Announced.UnionWith(group.LastFiring);
            group.LastSent = now;
            foreach (var alert in resolved)
            {
                group.Alerts.Remove(alert.AlertId);
                group.Announced.Remove(alert.AlertId);
            }

            foreach (var receiver in rule.Receivers)
            {
                Deliver(new AlertNotification(now, receiver, NotificationKind.Group, rule.Name, group.Key, firing, resolved), now, decided);
            }
        }

        // Resolved alerts never told are done; so is a group left with nothing.
        foreach (var done in group.Alerts.Values.Where(a => a.Status == AlertStatus.Resolved && !group.Announced.Contains(a.AlertId)).ToList())
        {
            group.Alerts.Remove(done.AlertId);
        }

        if (group.Alerts.Count == 0)
        {
            _groups.Remove(group.Key);
        }
    }

    private bool IsFlapping(AlertNotice alert, DateTimeOffset now) =>
        _changes.TryGetValue((alert.Machine, alert.Title), out var changes)
        && changes.Count(c => c > now - options.Flapping.Window) > options.Flapping.MaxChanges;

    private void PruneChanges(DateTimeOffset now)
    {
        foreach (var (key, changes) in _changes.ToList())
        {
            changes.RemoveAll(c => c <= now - options.Flapping.Window);
            if (changes.Count == 0)
            {
                _changes.Remove(key);
            }
        }
    }

    private sealed class AlertGroup(NotificationRule rule, string key, DateTimeOffset firstFlush)
    {
        public NotificationRule Rule { get; } = rule;

        public string Key { get; } = key;

        public DateTimeOffset NextFlush { get; set; } = firstFlush;

        public DateTimeOffset? LastSent { get; set; }

        /// <summary>The latest notice of each alert in the group, by alert id.</summary>
        public Dictionary<long, AlertNotice> Alerts { get; } = [];

        /// <summary>The firing alerts of the last message.</summary>
        public HashSet<long> LastFiring { get; set; } = [];

        /// <summary>Alerts told as firing by some message: their resolution is reported.</summary>
        public HashSet<long> Announced { get; } = [];
    }
}
