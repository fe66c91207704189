using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Signals;

public sealed class TagReporterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Repeat_OnChangeAfterMaxSilence_ReportsTheLatestValueEvenIfWithinTheDeadband()
    {
        var reporter = new TagReporter("cnc-01", new NodeTagOptions { Signal = Signal.SpindleLoad, Deadband = 1, MaxSilence = TimeSpan.FromSeconds(10) });

        Assert.Equal(50, reporter.Observe(50, _time.GetUtcNow())!.Number);
        Assert.Null(reporter.Observe(50.5, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Null(reporter.Repeat(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));
        var repeated = reporter.Repeat(_time.GetUtcNow());

        Assert.Equal(50.5, repeated!.Number);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), repeated.TimestampMs);
        Assert.Null(reporter.Repeat(_time.GetUtcNow()));
    }

    [Fact]
    public void Observe_PeriodReport_OnePerPeriodWithTheLatestValue()
    {
        var reporter = new TagReporter("meter-01", new RegisterTagOptions { Signal = Signal.Energy, Report = TagReport.Period, Period = TimeSpan.FromSeconds(60), Scale = 0.001 });

        Assert.Equal(1, reporter.Observe(1000, _time.GetUtcNow())!.Number);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(reporter.Observe(1500, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1.5, reporter.Repeat(_time.GetUtcNow())!.Number);
        Assert.Equal("meter-01", reporter.Observe(1600, _time.GetUtcNow().AddSeconds(60))!.Machine);
    }

    [Fact]
    public void Repeat_BeforeAnyValue_ReportsNothing() =>
        Assert.Null(new TagReporter("cnc-01", new NodeTagOptions { Signal = Signal.SpindleLoad, MaxSilence = TimeSpan.FromSeconds(1) }).Repeat(DateTimeOffset.MaxValue));
}
