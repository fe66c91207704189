namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// Chooses the <see cref="AlertPolicy"/> on held-out scorings: of a grid of raise levels (0.10 … 0.95), raise streaks
/// (1 … 4 scorings) and clear streaks (3, 6, 12, 24 scorings; clear level half the raise level), the policy whose alert
/// precision is at least <see cref="PrecisionGoal"/> and that alerts the largest share of wear failures in time (then the
/// most precise, then the one with fewest alerts — one degradation, one alert —, then the one raising soonest); when
/// none reaches the goal, the best F1 of in-time share and precision.
/// </summary>
internal static class PolicySearch
{
    public const double PrecisionGoal = 0.8;

    public static IEnumerable<AlertPolicy> Grid()
    {
        for (var raise = 10; raise <= 95; raise += 5)
        {
            for (var raiseAfter = 1; raiseAfter <= 4; raiseAfter++)
            {
                foreach (var clearAfter in (int[])[3, 6, 12, 24])
                {
                    yield return new AlertPolicy(raise / 100f, raise / 200f, raiseAfter, clearAfter);
                }
            }
        }
    }

    public static (AlertPolicy Policy, AlertEvaluation Evaluation) Choose(IReadOnlyList<ScoredMachine> machines, TimeSpan horizon)
    {
        (AlertPolicy Policy, AlertEvaluation Evaluation)? best = null;
        foreach (var policy in Grid())
        {
            var evaluation = AlertEvaluation.Replay(policy, machines, horizon);
            if (best is null || Better(evaluation, best.Value.Evaluation))
            {
                best = (policy, evaluation);
            }
        }

        return best!.Value;
    }

    private static bool Better(AlertEvaluation a, AlertEvaluation b)
    {
        var (aMeets, bMeets) = (Meets(a), Meets(b));
        if (aMeets != bMeets)
        {
            return aMeets;
        }

        if (!aMeets)
        {
            return F1(a) > F1(b);
        }

        return a.InTimeShare != b.InTimeShare ? a.InTimeShare > b.InTimeShare
            : a.Precision != b.Precision ? a.Precision > b.Precision
            : a.Alerts != b.Alerts ? a.Alerts < b.Alerts
            : Median(a.LeadHours) > Median(b.LeadHours);
    }

    private static bool Meets(AlertEvaluation e) => e.Alerts > 0 && e.Precision >= PrecisionGoal;

    private static double F1(AlertEvaluation e) =>
        e.Alerts == 0 || e.InTimeShare + e.Precision == 0 ? 0 : 2 * e.InTimeShare * e.Precision / (e.InTimeShare + e.Precision);

    internal static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
