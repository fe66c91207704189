using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Production;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>The OEE computation against worked examples (Oee/README.md has them with the arithmetic).</summary>
public sealed class OeeCalculatorTests
{
    private static readonly DateOnly Monday = new(2026, 12, 7);

    private static DateTimeOffset At(int hour, int minute = 0, int second = 0, int day = 0) =>
        new DateTimeOffset(Monday.ToDateTime(new TimeOnly(0, 0)), TimeSpan.Zero).AddDays(day).AddHours(hour).AddMinutes(minute).AddSeconds(second);

    private static StateInterval S(MachineState? state, DateTimeOffset from, DateTimeOffset to) => new(state, from, to);

    /// <summary>06:00-14:00 with two 15-minute breaks and a 30-minute lunch: 60 minutes of breaks, 420 planned.</summary>
    private static ShiftOccurrence OeeComShift() => ShiftOccurrences.Occurrence(
        new Shift("1", new(6, 0), new(14, 0), [DayOfWeek.Monday], [new(new(8, 0), new(8, 15)), new(new(10, 0), new(10, 30)), new(new(12, 0), new(12, 15))]),
        Monday, TimeZoneInfo.Utc, []);

    [Fact]
    public void Compute_OeeComExample_MatchesPublishedFigures()
    {
        var shift = OeeComShift();
        // 47 minutes of stops in planned time: 09:00-09:30 and 13:00-13:17.
        var states = new[]
        {
            S(MachineState.Working, At(6), At(9)),
            S(MachineState.Error, At(9), At(9, 30)),
            S(MachineState.Working, At(9, 30), At(13)),
            S(MachineState.Ready, At(13), At(13, 17)),
            S(MachineState.Working, At(13, 17), At(14)),
        };
        var input = new OeeInput(shift.Span, shift.Planned, states, [new(At(11), 10_000), new(At(13, 30), 9_271)], [new(At(13, 59), 423)], TimeSpan.FromSeconds(1));

        var figures = OeeCalculator.Compute(input).Figures;

        Assert.Equal(TimeSpan.FromMinutes(420), figures.PlannedTime);
        Assert.Equal(TimeSpan.FromMinutes(373), figures.RunTime);
        Assert.Equal(88.81, Math.Round(figures.Availability!.Value * 100, 2));
        Assert.Equal(86.11, Math.Round(figures.Performance!.Value * 100, 2));
        Assert.Equal(97.80, Math.Round(figures.Quality!.Value * 100, 2));
        Assert.Equal(74.79, Math.Round(figures.Oee!.Value * 100, 2));
        Assert.Equal(figures.Availability!.Value * figures.Performance!.Value * figures.Quality!.Value, figures.Oee!.Value, 12);
        Assert.Equal(TimeSpan.FromSeconds((373 * 60) - 19_271), figures.SpeedLoss);
    }

    [Fact]
    public void Compute_MachineDownInBreaks_BreaksAreNotLost()
    {
        var shift = OeeComShift();
        // Off in every break, working otherwise: the breaks are planned stops, outside planned time.
        var states = new[]
        {
            S(MachineState.Working, At(6), At(8)), S(MachineState.Offline, At(8), At(8, 15)),
            S(MachineState.Working, At(8, 15), At(10)), S(MachineState.Offline, At(10), At(10, 30)),
            S(MachineState.Working, At(10, 30), At(12)), S(MachineState.Offline, At(12), At(12, 15)),
            S(MachineState.Working, At(12, 15), At(14)),
        };

        var result = OeeCalculator.Compute(new OeeInput(shift.Span, shift.Planned, states, [], [], TimeSpan.FromSeconds(1)));

        Assert.Equal(1.0, result.Figures.Availability);
        Assert.Equal(TimeSpan.Zero, result.Figures.DownTime);
        Assert.Empty(result.Stops);
    }

    [Fact]
    public void Compute_PlannedMaintenanceWindow_IsOutsidePlannedTime()
    {
        var shift = ShiftOccurrences.Occurrence(new Shift("1", new(6, 0), new(14, 0), [DayOfWeek.Monday], []), Monday, TimeZoneInfo.Utc,
            [new TimeRange(At(7), At(9))]);
        var states = new[] { S(MachineState.Working, At(6), At(7)), S(MachineState.Offline, At(7), At(9)), S(MachineState.Working, At(9), At(14)) };

        var figures = OeeCalculator.Compute(new OeeInput(shift.Span, shift.Planned, states, [], [], TimeSpan.FromSeconds(1))).Figures;

        Assert.Equal(TimeSpan.FromHours(6), figures.PlannedTime);
        Assert.Equal(1.0, figures.Availability);
    }

    [Fact]
    public void Compute_MicroStops_AreDelayEachAStop()
    {
        var window = new TimeRange(At(6), At(7));
        // Every minute: 50 s working, 10 s waiting for the operator to load the next panel.
        var states = Enumerable.Range(0, 60).SelectMany(m => new[]
        {
            S(MachineState.Working, At(6, m), At(6, m, 50)),
            S(MachineState.Ready, At(6, m, 50), At(6, m + 1)),
        }).ToList();
        var pieces = Enumerable.Range(0, 60).Select(m => new PieceIncrement(At(6, m, 49), 1)).ToList();

        var result = OeeCalculator.Compute(new OeeInput(window, [window], states, pieces, [], TimeSpan.FromSeconds(40)));

        Assert.Equal(TimeSpan.FromMinutes(50), result.Figures.RunTime);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Figures.DelayTime);
        Assert.Equal(60, result.Stops.Count);
        Assert.All(result.Stops, s => Assert.Equal(TimeSpan.FromSeconds(10), s.Time));
        Assert.Equal(0.8, result.Figures.Performance!.Value, 12); // 60 × 40 s in 50 min
        Assert.Equal(TimeSpan.FromMinutes(10), result.Figures.SpeedLoss);
    }

    [Fact]
    public void Compute_ScrapAndCorrection_QualityFromNetScrap()
    {
        var window = new TimeRange(At(6), At(14));
        var states = new[] { S(MachineState.Working, At(6), At(14)) };
        var pieces = new[] { new PieceIncrement(At(7), 100), new PieceIncrement(At(8), 100) };
        // 12 reported, then 2 of them taken back; one report after the window belongs to the next.
        var scrap = new[] { new ScrapCount(At(9), 12), new ScrapCount(At(10), -2), new ScrapCount(At(14), 50) };

        var figures = OeeCalculator.Compute(new OeeInput(window, [window], states, pieces, scrap, TimeSpan.FromSeconds(60))).Figures;

        Assert.Equal((200L, 10L), (figures.Pieces, figures.Scrap));
        Assert.Equal(0.95, figures.Quality!.Value, 12);
    }

    [Fact]
    public void Compute_ShiftBoundaryCutsInterval_OnlyTheShiftsPartCounts()
    {
        // The machine works from 05:00 to 07:00 and is down from 07:00 to 15:00: the shift 06:00-14:00 sees one hour of each side.
        var window = new TimeRange(At(6), At(14));
        var states = new[] { S(MachineState.Working, At(5), At(7)), S(MachineState.Error, At(7), At(15)) };
        var pieces = new[] { new PieceIncrement(At(5, 30), 30), new PieceIncrement(At(6, 30), 60) };

        var result = OeeCalculator.Compute(new OeeInput(window, [window], states, pieces, [], TimeSpan.FromSeconds(60)));

        Assert.Equal(TimeSpan.FromHours(1), result.Figures.RunTime);
        Assert.Equal(TimeSpan.FromHours(7), result.Figures.DownTime);
        Assert.Equal(60, result.Figures.Pieces);
        Assert.Equal(At(7), Assert.Single(result.Stops).Since);
    }

    [Fact]
    public void Occurrence_NightShiftAcrossMidnight_BelongsToTheDayItStartsOnWithItsBreakAfterMidnight()
    {
        var night = new Shift("3", new(22, 0), new(6, 0), [DayOfWeek.Monday], [new(new(2, 0), new(2, 30))]);
        var calendar = new WorkCalendar { Shifts = [night] };

        var occurrence = Assert.Single(ShiftOccurrences.Overlapping(calendar, TimeZoneInfo.Utc, At(23, day: 0), At(1, day: 1)));
        var states = new[] { S(MachineState.Working, At(22), At(0, day: 1)), S(MachineState.Standby, At(0, day: 1), At(6, day: 1)) };
        var figures = OeeCalculator.Compute(new OeeInput(occurrence.Span, occurrence.Planned, states, [], [], TimeSpan.FromSeconds(1))).Figures;

        Assert.Equal(("2026-12-07 shift 3", At(22), At(6, day: 1)), (occurrence.Label, occurrence.Span.From, occurrence.Span.To));
        Assert.Equal([new TimeRange(At(22), At(2, day: 1)), new TimeRange(At(2, 30, day: 1), At(6, day: 1))], occurrence.Planned);
        Assert.Equal((TimeSpan.FromHours(7.5), TimeSpan.FromHours(2), TimeSpan.FromHours(5.5)), (figures.PlannedTime, figures.RunTime, figures.DelayTime));
    }

    [Fact]
    public void Overlapping_HolidayAndDayOff_HaveNoShift()
    {
        var calendar = WorkCalendar.TwoShifts with { Holidays = [Monday] };

        var week = ShiftOccurrences.Overlapping(calendar, TimeZoneInfo.Utc, At(0), At(0, day: 7));

        Assert.Equal(8, week.Count); // Tuesday to Friday, two shifts each
        Assert.DoesNotContain(week, o => o.Day == Monday || o.Day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        Assert.All(week, o => Assert.Equal(TimeSpan.FromMinutes(450), o.PlannedTime));
    }

    [Fact]
    public void Compute_OverlappingStopRecords_CountedOnceAvailabilityNeverNegative()
    {
        var window = new TimeRange(At(6), At(8));
        // The timeline says working; two stop records cover 06:30-07:30 and 07:00-08:00, and a third repeats the first.
        var states = new[]
        {
            S(MachineState.Working, At(6), At(8)),
            S(MachineState.Error, At(6, 30), At(7, 30)),
            S(MachineState.Error, At(7), At(8)),
            S(MachineState.Ready, At(6, 30), At(7, 30)),
        };

        var result = OeeCalculator.Compute(new OeeInput(window, [window], states, [], [], TimeSpan.FromSeconds(1)));

        Assert.Equal(TimeSpan.FromHours(2), result.Figures.PlannedTime);
        Assert.Equal(TimeSpan.FromMinutes(30), result.Figures.RunTime);
        Assert.Equal(result.Figures.PlannedTime, result.Figures.RunTime + result.Figures.DelayTime + result.Figures.DownTime);
        Assert.Equal(0.25, result.Figures.Availability);
        Assert.Equal(TimeSpan.FromMinutes(90), Assert.Single(result.Stops).Time);
    }

    [Fact]
    public void Compute_ZeroPlannedTime_RatiosAreNull()
    {
        var window = new TimeRange(At(6), At(14));
        var states = new[] { S(MachineState.Working, At(6), At(14)) };

        var figures = OeeCalculator.Compute(new OeeInput(window, [], states, [new(At(7), 10)], [], TimeSpan.FromSeconds(1))).Figures;

        Assert.Equal(OeeFigures.Zero, figures);
        Assert.Null(figures.Availability);
        Assert.Null(figures.Performance);
        Assert.Null(figures.Quality);
        Assert.Null(figures.Oee);
    }

    [Fact]
    public void Compute_NoStateKnownYet_IsDownAndNothingMadeIsZeroOee()
    {
        var window = new TimeRange(At(6), At(14));
        var states = new[] { S(null, At(6), At(10)), S(MachineState.Ready, At(10), At(14)) };

        var figures = OeeCalculator.Compute(new OeeInput(window, [window], states, [], [], TimeSpan.FromSeconds(1))).Figures;

        Assert.Equal((TimeSpan.FromHours(4), TimeSpan.FromHours(4)), (figures.DownTime, figures.DelayTime));
        Assert.Equal(0.0, figures.Availability);
        Assert.Null(figures.Performance);
        Assert.Equal(0.0, figures.Oee);
    }
}
