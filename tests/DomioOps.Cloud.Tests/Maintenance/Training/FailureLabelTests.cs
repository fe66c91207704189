using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Maintenance.Training;

/// <summary>Labels around a failure: positive when a failure alarm starts within the horizon, left out while down.</summary>
public sealed class FailureLabelTests
{
    private static readonly DateTimeOffset Origin = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>1000 minutes working; a panel jam (alarm 110) in minutes 300–304; blade dulling fails (alarm 101) in minutes 700–739.</summary>
    private static MachineHistory History(params VerdictSpan[] verdicts)
    {
        var series = new MinuteSeries(Origin, 1000, MachineHistory.SignalsOf(MachineClass.PanelSaw));
        for (var m = 0; m < 1000; m++)
        {
            var alarm = m is >= 300 and < 305 ? 110 : m is >= 700 and < 740 ? 101 : 0;
            var state = alarm == 0 ? 3 : 4;
            series.Set(Signal.MachineState, m, state, state, state * 6, 6, state);
            series.Set(Signal.Alarm, m, alarm, alarm, alarm * 6, 6, alarm);
        }

        return new MachineHistory(series, 0, verdicts: verdicts);
    }

    [Fact]
    public void FailureStarts_WearAndSuddenAlarms_ApartByCode()
    {
        var history = History();

        Assert.Equal([700], history.FailureStarts());
        Assert.Equal([300], history.SuddenStarts());
    }

    [Theory]
    [InlineData(500, false)] // the failure is 200 min ahead, past the 2 h horizon
    [InlineData(580, false)] // the alarm's minute 700 may start up to a minute after 580 + 120 min
    [InlineData(581, true)]
    [InlineData(699, true)]
    [InlineData(700, true)]  // the alarm begins within the minute that starts at the instant
    [InlineData(701, null)]  // failed in the minute before
    [InlineData(740, null)]  // still under repair in minute 739
    [InlineData(741, false)] // repaired; no other failure follows
    [InlineData(301, null)]  // a jam in the minute before: down
    [InlineData(200, false)] // a jam ahead is not a failure to predict
    [InlineData(881, null)]  // the series ends before the horizon does
    public void Labels_AroundAFailure_PositiveWithinTheHorizonLeftOutWhileDown(int minute, bool? expected)
    {
        var labels = History().Labels([minute], TimeSpan.FromHours(2));

        Assert.Equal(expected, labels[0]);
    }

    [Fact]
    public void Labels_APreventedFailure_PositiveBeforeTheRepairAsBeforeAnAlarm()
    {
        // An alert raised in minute 400 and resolved as prevented in minute 450: no alarm followed, the repair did.
        var history = History(new VerdictSpan(400, 450, AlertVerdict.Prevented));

        Assert.Equal([450, 700], history.Failures());
        Assert.Equal([false, true, true, false], history.Labels([330, 331, 449, 451], TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Failures_VerdictsOnAlertsAnAlarmEnded_NoSecondFailure()
    {
        // A true failure told of an alert the blade-dulling alarm of minute 700 ended; a false alarm adds none.
        var history = History(new VerdictSpan(650, 760, AlertVerdict.TrueFailure), new VerdictSpan(100, 200, AlertVerdict.FalseAlarm));

        Assert.Equal([700], history.Failures());
    }

    [Fact]
    public void Weights_WithinAFalseAlarm_HealthyInstantsWeighMore()
    {
        var history = History(new VerdictSpan(100, 200, AlertVerdict.FalseAlarm), new VerdictSpan(600, 690, AlertVerdict.FalseAlarm));
        int[] minutes = [90, 100, 200, 210, 650];
        var labels = history.Labels(minutes, TimeSpan.FromHours(2));

        // The instant of minute 650 is within a false alarm, but a failure followed: it is positive and weighs 1.
        Assert.Equal([false, false, false, false, true], labels);
        Assert.Equal([1, MachineHistory.FalseAlarmWeight, MachineHistory.FalseAlarmWeight, 1, 1], history.Weights(minutes, labels));
    }

    [Fact]
    public void From_InstantsEveryTenMinutes_LeavesOutTheDownOnesAndDatesTheFailures()
    {
        var instants = ClassHistory.From(History(), MachineClass.PanelSaw, Origin.AddMinutes(600), Origin.AddMinutes(800), TimeSpan.FromHours(2), "saw-01");

        // 600, 610, …, 790 without 710–740 (alarm in the minute before each).
        Assert.Equal([600, 610, 620, 630, 640, 650, 660, 670, 680, 690, 700, 750, 760, 770, 780, 790], instants.At.Select(a => (int)(a - Origin).TotalMinutes));
        Assert.Equal([true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, false], instants.Labels);
        Assert.Equal([Origin.AddMinutes(700)], instants.WearFailures);
        Assert.Empty(instants.SuddenFailures);
    }
}
