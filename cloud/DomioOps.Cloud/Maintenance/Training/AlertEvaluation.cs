namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>The scorings of one machine over a span and its failures, as the alert evaluation replays them.</summary>
/// <param name="Scorings">Scoring instants (machine not down) with their probability, ascending.</param>
/// <param name="WearFailures">Start of each failure alarm (a degradation ending in a failure), ascending.</param>
/// <param name="SuddenFailures">Start of each other alarm (sudden faults, which have no onset), ascending.</param>
internal sealed record ScoredMachine(string Machine, IReadOnlyList<(DateTimeOffset At, float Probability)> Scorings,
    IReadOnlyList<DateTimeOffset> WearFailures, IReadOnlyList<DateTimeOffset> SuddenFailures);

/// <summary>An alert from its raise to its clear, or to the failure that ended it (then <see cref="EndedByFailure"/>).</summary>
internal sealed record AlertEpisode(string Machine, DateTimeOffset Raised, DateTimeOffset? Ended, bool EndedByFailure);

/// <summary>
/// Alerting as an engineer sees it: the <see cref="AlertPolicy"/> replayed over every machine's scorings. A wear failure
/// at F is alerted with lead time F − R when an alert raised at R &lt; F was still open after F − horizon (the earliest
/// such R); it counts as alerted in time when that lead is at least <see cref="MinimumLead"/>. An alert is true when a
/// wear failure followed it while it was open or within the horizon after its raise. A failure ends the open alert
/// (the machine is down; a repair follows). Sudden failures are counted apart: they have no onset to detect.
/// </summary>
internal sealed record AlertEvaluation(
    int WearFailures, int AlertedInTime, int Alerts, int TrueAlerts, int SuddenFailures, int SuddenAlerted,
    IReadOnlyList<double> LeadHours, IReadOnlyList<AlertEpisode> Episodes)
{
    public static readonly TimeSpan MinimumLead = TimeSpan.FromHours(2);

    /// <summary>Share of wear failures alerted at least <see cref="MinimumLead"/> ahead (1 when there were none).</summary>
    public double InTimeShare => WearFailures == 0 ? 1 : (double)AlertedInTime / WearFailures;

    /// <summary>Share of alerts followed by a wear failure (1 when there were no alerts).</summary>
    public double Precision => Alerts == 0 ? 1 : (double)TrueAlerts / Alerts;

    public static AlertEvaluation Replay(AlertPolicy policy, IReadOnlyList<ScoredMachine> machines, TimeSpan horizon)
    {
        var (wear, inTime, alerts, trueAlerts, sudden, suddenAlerted) = (0, 0, 0, 0, 0, 0);
        var leads = new List<double>();
        var all = new List<AlertEpisode>();
        foreach (var machine in machines)
        {
            var episodes = EpisodesOf(policy, machine);
            all.AddRange(episodes);
            foreach (var f in machine.WearFailures)
            {
                wear++;
                if (Lead(episodes, f, horizon) is { } lead)
                {
                    leads.Add(lead.TotalHours);
                    inTime += lead >= MinimumLead ? 1 : 0;
                }
            }

            foreach (var f in machine.SuddenFailures)
            {
                sudden++;
                suddenAlerted += Lead(episodes, f, horizon) is not null ? 1 : 0;
            }

            foreach (var e in episodes)
            {
                alerts++;
                var until = e.Ended is { } end && end > e.Raised + horizon ? end : e.Raised + horizon;
                trueAlerts += machine.WearFailures.Any(f => f > e.Raised && f <= until) ? 1 : 0;
            }
        }

        return new AlertEvaluation(wear, inTime, alerts, trueAlerts, sudden, suddenAlerted, leads, all);
    }

    /// <summary>The alerts the policy raises over one machine's scorings; each failure ends the open alert and resets the state.</summary>
    public static List<AlertEpisode> EpisodesOf(AlertPolicy policy, ScoredMachine machine)
    {
        var failures = machine.WearFailures.Concat(machine.SuddenFailures).Order().ToList();
        var episodes = new List<AlertEpisode>();
        var decision = AlertPolicy.Initial;
        DateTimeOffset? raised = null;
        var next = 0;
        foreach (var (at, probability) in machine.Scorings)
        {
            for (; next < failures.Count && failures[next] <= at; next++)
            {
                if (raised is { } r)
                {
                    episodes.Add(new AlertEpisode(machine.Machine, r, failures[next], true));
                    raised = null;
                }

                decision = AlertPolicy.Initial;
            }

            decision = policy.Next(decision, probability);
            if (decision.Changed)
            {
                if (decision.Raised)
                {
                    raised = at;
                }
                else
                {
                    episodes.Add(new AlertEpisode(machine.Machine, raised!.Value, at, false));
                    raised = null;
                }
            }
        }

        if (raised is { } open)
        {
            var failure = next < failures.Count ? failures[next] : (DateTimeOffset?)null;
            episodes.Add(new AlertEpisode(machine.Machine, open, failure, failure is not null));
        }

        return episodes;
    }

    private static TimeSpan? Lead(List<AlertEpisode> episodes, DateTimeOffset failure, TimeSpan horizon)
    {
        // An alert ended by an earlier failure belongs to that failure.
        var covering = episodes.Where(e => e.Raised < failure && (e.Ended ?? DateTimeOffset.MaxValue) > failure - horizon && !(e.EndedByFailure && e.Ended < failure)).ToList();
        return covering.Count == 0 ? null : failure - covering.Min(e => e.Raised);
    }
}
