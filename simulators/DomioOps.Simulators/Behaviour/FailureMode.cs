using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// One degradation process of a machine: healthy until an onset drawn from an exponential distribution,
/// then degrading (severity 0 → 1 over its progression) until it fails; a repair resets it.
/// </summary>
internal sealed class FailureMode(string kind, ushort alarm, FailureSpec spec, Random random, DateTimeOffset start)
{
    private DateTimeOffset onset = start + Exponential(random, spec.MeanTimeToOnset);
    private DateTimeOffset failure;

    public string Kind { get; } = kind;

    public ushort Alarm { get; } = alarm;

    public FailureSpec Spec { get; } = spec;

    public bool Degrading { get; private set; }

    public bool Failed { get; private set; }

    /// <summary>The next time this process changes on its own: its onset, or its failure while degrading.</summary>
    public DateTimeOffset NextEvent => Failed ? DateTimeOffset.MaxValue : Degrading ? failure : onset;

    /// <summary>0 while healthy, rising to 1 at the failure.</summary>
    public double Severity(DateTimeOffset at) =>
        Failed ? 1 : !Degrading ? 0 : Math.Clamp((at - onset) / (failure - onset), 0, 1);

    public void Begin()
    {
        Degrading = true;
        failure = onset + Spread(random, Spec.Progression);
    }

    public void Fail() => Failed = true;

    public void Repair(DateTimeOffset at)
    {
        Degrading = false;
        Failed = false;
        onset = at + Exponential(random, Spec.MeanTimeToOnset);
    }

    /// <summary>A mean ±30 %, uniformly.</summary>
    public static TimeSpan Spread(Random random, TimeSpan mean) => mean * (0.7 + (0.6 * random.NextDouble()));

    private static TimeSpan Exponential(Random random, TimeSpan mean) => mean * -Math.Log(1 - random.NextDouble());
}
