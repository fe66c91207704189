using DomioOps.Cloud.Machines;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The state timeline from MachineState samples in PostgreSQL: a state lasts until the next different one, the window
/// starts in the state of the last sample before it, repeats change nothing; and the strip a page draws of it.
/// Expected intervals are worked out by hand from the samples written.
/// </summary>
public sealed class StateTimelineTests(MachineHistory history) : IClassFixture<MachineHistory>
{
    private static readonly DateTimeOffset Ten = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    private StateTimeline Timeline => history.Get<StateTimeline>();

    [Fact]
    public async Task ReadAsync_StatesBeforeAndInTheWindow_IntervalsUntilNowAndTotals()
    {
        await history.AppendAsync("saw-t1", Signal.MachineState,
            (At(-10), 2), (At(-0.5), 2), (At(10), 3), (At(10.5), 3), (At(40), 4), (At(55), 3), (At(80), 1), (At(105), 3));

        var timeline = await Timeline.ReadAsync("saw-t1", new TimeRange(Ten, At(120)), now: At(90), TestContext.Current.CancellationToken);

        // The window opens in Ready (the sample at 09:59:30); the sample at 11:45 is after now.
        Assert.Equal(
            [
                new StateInterval(MachineState.Ready, Ten, At(10)),
                new StateInterval(MachineState.Working, At(10), At(40)),
                new StateInterval(MachineState.Error, At(40), At(55)),
                new StateInterval(MachineState.Working, At(55), At(80)),
                new StateInterval(MachineState.Standby, At(80), At(90)),
            ],
            timeline.Intervals);
        Assert.Equal(At(90), timeline.Until);
        Assert.Equal(
            [
                KeyValuePair.Create(MachineState.Standby, TimeSpan.FromMinutes(10)),
                KeyValuePair.Create(MachineState.Ready, TimeSpan.FromMinutes(10)),
                KeyValuePair.Create(MachineState.Working, TimeSpan.FromMinutes(55)),
                KeyValuePair.Create(MachineState.Error, TimeSpan.FromMinutes(15)),
            ],
            timeline.Totals);
        Assert.Equal(TimeSpan.Zero, timeline.Unknown);
    }

    [Fact]
    public async Task ReadAsync_NoSampleBeforeTheWindow_UnknownUntilTheFirstAndPastWindowEndsAtItsEnd()
    {
        await history.AppendAsync("saw-t2", Signal.MachineState, (At(15), 3), (At(45), 3));

        var timeline = await Timeline.ReadAsync("saw-t2", new TimeRange(Ten, At(60)), now: At(120), TestContext.Current.CancellationToken);

        Assert.Equal([new StateInterval(null, Ten, At(15)), new StateInterval(MachineState.Working, At(15), At(60))], timeline.Intervals);
        Assert.Equal((TimeSpan.FromMinutes(15), At(60)), (timeline.Unknown, timeline.Until));
        Assert.Equal([KeyValuePair.Create(MachineState.Working, TimeSpan.FromMinutes(45))], timeline.Totals);
    }

    [Fact]
    public async Task ReadAsync_NumberThatIsNoState_ReadsAsErrorAndJoinsTheErrorBeforeIt()
    {
        await history.AppendAsync("saw-t3", Signal.MachineState, (Ten, 4), (At(20), 9), (At(30), 3));

        var timeline = await Timeline.ReadAsync("saw-t3", new TimeRange(Ten, At(60)), now: At(60), TestContext.Current.CancellationToken);

        Assert.Equal([new StateInterval(MachineState.Error, Ten, At(30)), new StateInterval(MachineState.Working, At(30), At(60))], timeline.Intervals);
    }

    [Fact]
    public async Task ReadAsync_WindowNotBegun_Empty()
    {
        var timeline = await Timeline.ReadAsync("saw-t1", new TimeRange(At(120), At(240)), now: At(90), TestContext.Current.CancellationToken);

        Assert.Empty(timeline.Intervals);
        Assert.Empty(timeline.Totals);
        Assert.Equal(TimeSpan.Zero, timeline.Unknown);
    }

    [Fact]
    public void ToStrip_FewerIntervalsThanSlots_TheIntervalsThemselves()
    {
        var timeline = new StateHistory(new TimeRange(Ten, At(10)), At(5), [new StateInterval(null, Ten, At(2)), new StateInterval(MachineState.Working, At(2), At(5))]);

        var strip = timeline.ToStrip(480);

        Assert.Equal([new StripSegment(null, 0, 0.2), new StripSegment(MachineState.Working, 0.2, 0.5)], strip.Segments);
        Assert.Equal(TimeSpan.FromMinutes(2), strip.Unknown);
        Assert.Equal([KeyValuePair.Create(MachineState.Working, TimeSpan.FromMinutes(3))], strip.Totals);
    }

    [Fact]
    public void ToStrip_MoreIntervalsThanSlots_EachSlotInTheStateThatFilledMostOfIt()
    {
        // Slots of 2 minutes: [0,2) working 1.5 ready 0.5; [2,4) working 1 ready 1 (tie: ready, the lower number);
        // [4,6) ready 1 error 1 (ready); [6,7) working, and nothing after now (7).
        var timeline = new StateHistory(new TimeRange(Ten, At(8)), At(7),
        [
            new StateInterval(MachineState.Working, Ten, At(1.5)),
            new StateInterval(MachineState.Ready, At(1.5), At(2)),
            new StateInterval(MachineState.Working, At(2), At(3)),
            new StateInterval(MachineState.Ready, At(3), At(5)),
            new StateInterval(MachineState.Error, At(5), At(6)),
            new StateInterval(MachineState.Working, At(6), At(7)),
        ]);

        var strip = timeline.ToStrip(4);

        Assert.Equal(
            [new StripSegment(MachineState.Working, 0, 0.25), new StripSegment(MachineState.Ready, 0.25, 0.75), new StripSegment(MachineState.Working, 0.75, 0.875)],
            strip.Segments);
        // The totals stay exact.
        Assert.Equal(
            [
                KeyValuePair.Create(MachineState.Ready, TimeSpan.FromMinutes(2.5)),
                KeyValuePair.Create(MachineState.Working, TimeSpan.FromMinutes(3.5)),
                KeyValuePair.Create(MachineState.Error, TimeSpan.FromMinutes(1)),
            ],
            strip.Totals);
    }

    private static DateTimeOffset At(double minutes) => Ten.AddMinutes(minutes);
}
