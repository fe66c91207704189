using DomioOps.Cloud.Maintenance.Training;

namespace DomioOps.Cloud.Tests.Maintenance.Training;

/// <summary>Hysteresis: one degradation makes one alert, however the probability wavers around the raise level.</summary>
public sealed class AlertPolicyTests
{
    private static readonly AlertPolicy Policy = new(Raise: 0.6f, Clear: 0.3f, RaiseAfter: 2, ClearAfter: 3);

    [Fact]
    public void Next_StreaksToRaiseAndToClear_ChangesExactlyTwice()
    {
        float[] probabilities = [0.1f, 0.7f, 0.2f, 0.7f, 0.8f, 0.9f, 0.5f, 0.2f, 0.2f, 0.7f, 0.2f, 0.2f, 0.2f];
        var decisions = new List<AlertDecision>();
        var decision = AlertPolicy.Initial;
        foreach (var p in probabilities)
        {
            decision = Policy.Next(decision, p);
            decisions.Add(decision);
        }

        AlertDecision[] expected =
        [
            new(false, 0, false), new(false, 1, false), new(false, 0, false), new(false, 1, false),
            new(true, 0, true),   // two in a row at ≥ 0.6
            new(true, 0, false), new(true, 0, false), new(true, 1, false), new(true, 2, false),
            new(true, 0, false),  // 0.7 breaks the clearing streak
            new(true, 1, false), new(true, 2, false),
            new(false, 0, true),  // three in a row below 0.3
        ];
        Assert.Equal(expected, decisions);
    }

    [Fact]
    public void Next_ADegradationWaveringAroundTheRaiseLevel_OneAlert()
    {
        // A degradation: the probability climbs from 0.2 to 0.95 with a wobble of ±0.15 each scoring, then falls after the repair.
        var probabilities = Enumerable.Range(0, 60).Select(i => (float)Math.Min(0.99, 0.2 + (i * 0.0125) + (i % 2 == 0 ? 0.15 : -0.15)))
            .Concat(Enumerable.Repeat(0.05f, 10));
        var decision = AlertPolicy.Initial;
        var raised = 0;
        var cleared = 0;
        foreach (var p in probabilities)
        {
            decision = Policy.Next(decision, p);
            raised += decision is { Changed: true, Raised: true } ? 1 : 0;
            cleared += decision is { Changed: true, Raised: false } ? 1 : 0;
        }

        Assert.Equal((1, 1), (raised, cleared));
    }

    [Fact]
    public void Episodes_AFailureWhileRaised_EndsTheAlertAndResetsTheStreak()
    {
        var t0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        float[] probabilities = [0.7f, 0.7f, 0.7f, 0.7f, 0.7f, 0.1f, 0.7f];
        var scorings = probabilities.Select((p, i) => (t0.AddMinutes(10 * i), p)).ToList();
        var machine = new ScoredMachine("cnc-01", scorings, [t0.AddMinutes(35)], []);

        var episodes = AlertEvaluation.EpisodesOf(Policy, machine);

        // Raised at 10 min, ended by the failure at 35 min; after it, 40 min raises no second alert (streak reset, 50 min is low).
        Assert.Equal([new AlertEpisode("cnc-01", t0.AddMinutes(10), t0.AddMinutes(35), true)], episodes);
    }

    [Fact]
    public void Replay_WearAndSuddenFailures_InTimeSharePrecisionAndLeadApart()
    {
        var t0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        // Hourly scorings over 40 h: high in hours 2–9 (wear failure at 10 h: raised at 3 h, lead 7 h), high in hours 20–21
        // (raised at 21 h, cleared at 24 h: a false alert), high in 29–30 (raised at 30 h, failure at 31 h: lead 1 h, not in time). A jam at 15 h.
        var scorings = Enumerable.Range(0, 40).Select(h => (t0.AddHours(h), h is >= 2 and <= 9 or 20 or 21 or 29 or 30 ? 0.9f : 0.1f)).ToList();
        var machine = new ScoredMachine("saw-01", scorings, [t0.AddHours(10), t0.AddHours(31)], [t0.AddHours(15)]);

        var result = AlertEvaluation.Replay(Policy, [machine], TimeSpan.FromHours(4));

        Assert.Equal((2, 1), (result.WearFailures, result.AlertedInTime));
        Assert.Equal([7.0, 1.0], result.LeadHours);
        Assert.Equal((3, 2), (result.Alerts, result.TrueAlerts));
        Assert.Equal((1, 0), (result.SuddenFailures, result.SuddenAlerted));
        Assert.Equal(0.5, result.InTimeShare);
        Assert.Equal(2.0 / 3, result.Precision, 10);
    }
}
