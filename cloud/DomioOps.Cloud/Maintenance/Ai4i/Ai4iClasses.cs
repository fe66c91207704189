namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>
/// One class per row for the failure-mode metrics: 0 "no failure", 1-5 TWF, HDF, PWF, OSF, RNF.
/// <list type="bullet">
/// <item>A row whose <c>Machine failure</c> is 0 is "no failure", whatever its flags (the data set sets RNF on a few
/// rows that did not fail).</item>
/// <item>A failure with several flags takes the first in the data set's column order TWF, HDF, PWF, OSF, RNF.</item>
/// <item>A failure with no flag is RNF: nothing in the data explains it, which is what a random failure is.</item>
/// </list>
/// For training the per-mode models a failing row is positive for every mode its flags name (for RNF when it has none).
/// </summary>
public static class Ai4iClasses
{
    public const int NoFailure = 0;

    public static IReadOnlyList<string> Names { get; } = ["no failure", "TWF", "HDF", "PWF", "OSF", "RNF"];

    public static IReadOnlyList<FailureModes> Modes { get; } =
        [FailureModes.ToolWear, FailureModes.HeatDissipation, FailureModes.Power, FailureModes.Overstrain, FailureModes.Random];

    public const string Labelling =
        "Classes: a row with Machine failure 0 is \"no failure\" whatever its flags; a failure with several mode flags takes " +
        "the first in the order TWF, HDF, PWF, OSF, RNF; a failure with no flag counts as RNF (nothing in the data explains it).";

    public static int Of(Ai4iRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!record.MachineFailure)
        {
            return NoFailure;
        }

        for (var m = 0; m < Modes.Count; m++)
        {
            if (record.Modes.HasFlag(Modes[m]))
            {
                return m + 1;
            }
        }

        return 5;
    }

    /// <summary>Whether a failing row is a positive example for mode <paramref name="mode"/> (0-4: TWF … RNF).</summary>
    public static bool HasMode(Ai4iRecord record, int mode)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.MachineFailure && (record.Modes.HasFlag(Modes[mode]) || (mode == 4 && (record.Modes & ~FailureModes.Random) == FailureModes.None));
    }
}
