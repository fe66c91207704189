using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// One degradation process of a machine, on the machine's operating clock (time switched on): healthy until an
/// onset drawn from an exponential distribution, then degrading (severity 0 → 1 over its progression) until it
/// fails; a repair resets it. Wear does not progress while the machine is off.
/// </summary>
internal sealed class FailureMode(string kind, ushort alarm, FailureSpec spec, Random random)
{
    private TimeSpan _onset = Exponential(random, spec.MeanTimeToOnset);
    private TimeSpan _failure;

    public string Kind { get; } = kind;

    public ushort Alarm { get; } = alarm;

    public FailureSpec Spec { get; } = spec;

    public bool Degrading { get; private set; }

    public bool Failed { get; private set; }

    /// <summary>Operating time of the next change: the onset, or the failure while degrading; MaxValue once failed.</summary>
    public TimeSpan NextEvent => Failed ? TimeSpan.MaxValue : Degrading ? _failure : _onset;

    /// <summary>0 while healthy, rising to 1 at the failure, at operating time <paramref name="operating"/>.</summary>
    public double Severity(TimeSpan operating) =>
        Failed ? 1 : !Degrading ? 0 : Math.Clamp((operating - _onset) / (_failure - _onset), 0, 1);

    /// <summary>Degradation begins (at its drawn onset, or at <paramref name="now"/> when forced earlier).</summary>
    public void Begin(TimeSpan now)
    {
        _onset = _onset < now ? _onset : now;
        Degrading = true;
        _failure = _onset + Spread(random, Spec.Progression);
    }

    public void Fail() => Failed = true;

    public void Repair(TimeSpan operating)
    {
        Degrading = false;
        Failed = false;
        _onset = operating + Exponential(random, Spec.MeanTimeToOnset);
    }

    /// <summary>A mean ±30 %, uniformly.</summary>
    public static TimeSpan Spread(Random random, TimeSpan mean) => mean * (0.7 + (0.6 * random.NextDouble()));

    private static TimeSpan Exponential(Random random, TimeSpan mean) => mean * -Math.Log(1 - random.NextDouble());
}
