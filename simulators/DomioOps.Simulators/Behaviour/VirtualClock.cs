namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// The machines' physical clock: factory time runs <see cref="Acceleration"/> times faster than the wall
/// clock from <see cref="Start"/>, and stops at <see cref="End"/> when the scenario is bounded.
/// </summary>
internal sealed class VirtualClock(DateTimeOffset start, double acceleration, TimeSpan? duration, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    public DateTimeOffset Start { get; } = start;

    public double Acceleration { get; } = acceleration;

    public DateTimeOffset End { get; } = duration is { } d ? start + d : DateTimeOffset.MaxValue;

    public DateTimeOffset Now
    {
        get
        {
            var elapsed = time.GetElapsedTime(_started).TotalSeconds * Acceleration;
            var now = elapsed >= (DateTimeOffset.MaxValue - Start).TotalSeconds ? DateTimeOffset.MaxValue : Start + TimeSpan.FromSeconds(elapsed);
            return now < End ? now : End;
        }
    }

    public bool Completed => Now >= End;
}
