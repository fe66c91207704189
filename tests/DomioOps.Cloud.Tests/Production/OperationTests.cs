using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>What an operation counted and ran, from its closed segments and the running one.</summary>
public sealed class OperationTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counted_Running_ClosedSegmentsPlusTheMachinesRiseSinceTheStart()
    {
        var operation = new Operation { State = OperationState.Running, CountedClosed = 7, CounterBaseline = 1000, RunningSince = Since, RunTime = TimeSpan.FromMinutes(3) };

        Assert.Equal(12, operation.Counted(1005));
        Assert.Equal(TimeSpan.FromMinutes(13), operation.RunTimeAt(Since.AddMinutes(10)));
    }

    [Fact]
    public void Counted_Paused_OnlyTheClosedSegments()
    {
        var operation = new Operation { State = OperationState.Paused, CountedClosed = 7, RunTime = TimeSpan.FromMinutes(3) };

        Assert.Equal(7, operation.Counted(99_999));
        Assert.Equal(TimeSpan.FromMinutes(3), operation.RunTimeAt(Since.AddHours(5)));
    }

    [Fact]
    public void Counted_MachineBehindTheBaseline_NeverNegative()
    {
        // The machine's state was restored from an older snapshot: its total is below the start; nothing is taken away.
        var operation = new Operation { State = OperationState.Running, CountedClosed = 4, CounterBaseline = 500, RunningSince = Since };

        Assert.Equal(4, operation.Counted(490));
        Assert.Equal(TimeSpan.Zero, operation.RunTimeAt(Since.AddSeconds(-1)));
    }

    [Fact]
    public void Remaining_GoodOverPlanned_Zero()
    {
        Assert.Equal(0, new Operation { Planned = 10, Good = 12 }.Remaining);
        Assert.Equal(3, new Operation { Planned = 10, Good = 7, Scrap = 2 }.Remaining);
    }
}
