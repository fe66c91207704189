namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// Hysteresis between scorings, so that one degradation makes one alert: raise when the probability is at least
/// <see cref="Raise"/> for <see cref="RaiseAfter"/> consecutive scorings; clear when it is below <see cref="Clear"/>
/// for <see cref="ClearAfter"/> consecutive scorings.
/// </summary>
public sealed record AlertPolicy(float Raise, float Clear, int RaiseAfter, int ClearAfter)
{
    /// <summary>The state before the first scoring: not raised, no streak.</summary>
    public static AlertDecision Initial { get; } = new(false, 0, false);

    /// <summary>The decision after a scoring of <paramref name="probability"/>; <paramref name="previous"/> is the decision before it.</summary>
    public AlertDecision Next(AlertDecision previous, float probability)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (!previous.Raised)
        {
            var streak = probability >= Raise ? previous.Streak + 1 : 0;
            return streak >= RaiseAfter ? new AlertDecision(true, 0, true) : new AlertDecision(false, streak, false);
        }

        var clearing = probability < Clear ? previous.Streak + 1 : 0;
        return clearing >= ClearAfter ? new AlertDecision(false, 0, true) : new AlertDecision(true, clearing, false);
    }
}

/// <summary>
/// The alert state after a scoring: <see cref="Raised"/>, the consecutive scorings so far towards the other state
/// (<see cref="Streak"/>), and whether this scoring changed the state (<see cref="Changed"/>: an alert is raised or cleared).
/// </summary>
public sealed record AlertDecision(bool Raised, int Streak, bool Changed);
