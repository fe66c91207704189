namespace DomioOps.Simulators.Behaviour;

/// <summary>A first-order lag: a temperature approaching its target with time constant <paramref name="tau"/> (factory time).</summary>
internal sealed class Thermal(double initial, TimeSpan tau)
{
    private DateTimeOffset? _last;

    public double Value { get; private set; } = initial;

    public double Approach(double target, DateTimeOffset now)
    {
        if (_last is { } before && now > before)
        {
            Value = target + ((Value - target) * Math.Exp(-(now - before) / tau));
        }

        _last = now;
        return Value;
    }
}
