using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>The Monte Carlo forecast: determinism by its seed, the fallback spread, measured ratios, and calibration on a synthetic month.</summary>
public sealed class DueDateForecastTests
{
    private static readonly DateOnly Monday = new(2026, 12, 7);

    [Fact]
    public void Run_SameInputsAndSeed_GiveTheSameDates()
    {
        var plan = Scheduler.Plan(SyntheticShop.Factory(400, 8, Now()));

        var first = DueDateForecast.Run(plan, [], DueDateForecast.DefaultTrials, 15);
        var again = DueDateForecast.Run(plan, [], DueDateForecast.DefaultTrials, 15);
        var otherSeed = DueDateForecast.Run(plan, [], DueDateForecast.DefaultTrials, 16);

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Run_ThinHistory_UsesTheStandardTimeWithTheFallbackSpread()
    {
        // One hour of work from 06:00; the triangular spread 0.95-1.0-1.30 has its median at 1.0709 and its P90 at 1.1975.
        var plan = Scheduler.Plan(OneHour());

        var only = Assert.Single(DueDateForecast.Run(plan, [new WorkCentreHistory("saw", [], [1.0, 1.0], [])], DueDateForecast.DefaultTrials, 15));

        Assert.Equal(plan.Start[0] + 3600, only.Projected);
        Assert.InRange(only.P50 - plan.Start[0], 3855 * 0.995, 3855 * 1.005);
        Assert.InRange(only.P90 - plan.Start[0], 4311 * 0.995, 4311 * 1.005);
    }

    [Fact]
    public void Run_MeasuredHistory_DrawsFromIt()
    {
        var plan = Scheduler.Plan(OneHour());
        var history = new WorkCentreHistory("saw", [2.0, 2.0, 2.0, 2.0, 2.0], [2.0, 2.0, 2.0, 2.0, 2.0], [0.5, 0.5, 0.5, 0.5, 0.5]);

        var only = Assert.Single(DueDateForecast.Run(plan, [history], DueDateForecast.DefaultTrials, 15));

        // No set-up (started); one hour of pieces twice as slow, plus half of that in stops: 3 hours, 06:00-09:00.
        Assert.Equal((plan.Start[0] + (3 * 3600), plan.Start[0] + (3 * 3600)), (only.P50, only.P90));
    }

    [Fact]
    public void AtRisk_P90AfterTheDueDay_IsAtRisk()
    {
        var zone = SyntheticShop.Moscow;

        Assert.False(DueDateForecast.AtRisk(Monday, WorkingTime.Instant(zone, Monday, new TimeOnly(23, 59)), zone));
        Assert.True(DueDateForecast.AtRisk(Monday, WorkingTime.Instant(zone, Monday.AddDays(1), new TimeOnly(0, 1)), zone));
    }

    /// <summary>
    /// A synthetic month: each work centre's true ratios are log-normal (its own median and spread); the forecast sees 200
    /// measured values of each, then 20 simulated months run with the true ratios. About 90 % of the orders should
    /// finish by their P90 (calibrated: 85-95 %).
    /// </summary>
    [Fact]
    public void Run_SyntheticMonth_AboutNinetyPercentFinishByTheirP90()
    {
        var (forecast, actual) = Calibration.Run(operations: 600, centres: 10, worlds: 20, Now());

        var share = Calibration.Share(forecast, actual);

        Assert.InRange(share, 0.85, 0.95);
    }

    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(WorkingTime.Instant(SyntheticShop.Moscow, Monday, new TimeOnly(6, 0)));

    private static PlanInput OneHour() => new(Now(), SyntheticShop.Moscow, [new PlanCentre("saw", ["saw-1"], WorkCalendar.TwoShifts)],
        [new PlanOperation(1, 1, "O-1", 1, "Door", 1, "saw", OperationState.Running, "saw-1", 60, 600, 60, 1, Monday, true)], [], []);
}
