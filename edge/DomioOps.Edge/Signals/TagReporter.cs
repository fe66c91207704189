using DomioOps.Models.Wire;

namespace DomioOps.Edge.Signals;

/// <summary>
/// The tag engine for one tag: scales raw values and decides which become samples (report on change beyond the
/// deadband with a longest silence, or on a period). Owned by the one driver loop that reads the tag.
/// </summary>
internal sealed class TagReporter(string machine, TagOptions tag)
{
    private double? _lastValue;
    private DateTimeOffset _lastAt;
    private double? _seen;

    /// <summary>A new raw value from the device: the sample to report (stamped with the edge's clock), or null when it is not reported.</summary>
    public Sample? Observe(double raw, DateTimeOffset now)
    {
        var value = raw * tag.Scale + tag.Offset;
        _seen = value;
        var due = _lastValue is not { } last || (tag.Report == TagReport.OnChange
            ? Math.Abs(value - last) > tag.Deadband || now - _lastAt >= tag.MaxSilence
            : now - _lastAt >= tag.Period);
        return due ? Report(value, now) : null;
    }

    /// <summary>For devices that only send changes: the last value again when the tag's silence or period is over.</summary>
    public Sample? Repeat(DateTimeOffset now) =>
        _seen is { } value && _lastValue is not null && now - _lastAt >= (tag.Report == TagReport.OnChange ? tag.MaxSilence : tag.Period)
            ? Report(value, now)
            : null;

    private Sample Report(double value, DateTimeOffset now)
    {
        (_lastValue, _lastAt) = (value, now);
        return new Sample { Machine = machine, Signal = tag.Signal, TimestampMs = now.ToUnixTimeMilliseconds(), Number = value };
    }
}
