namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>
/// The six-class result (<see cref="Ai4iClasses"/>): a confusion matrix (actual × predicted) and F1 per class, where
/// F1 of class c = 2·TP / (2·TP + FP + FN), 0 when TP = 0 (also when the class has no row at all).
/// <see cref="MacroF1SixClasses"/> is the mean over all six classes; <see cref="MacroF1FiveModes"/> the mean over the five
/// failure modes only (the "no failure" class still counts as a wrong answer for a mode, it just has no F1 of its own
/// in the mean).
/// </summary>
public sealed record ModeEvaluation(long[,] Confusion)
{
    public const int Classes = 6;

    public double F1(int c)
    {
        long tp = Confusion[c, c], fp = 0, fn = 0;
        for (var other = 0; other < Classes; other++)
        {
            if (other != c)
            {
                fp += Confusion[other, c];
                fn += Confusion[c, other];
            }
        }

        return tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
    }

    public double MacroF1SixClasses => Enumerable.Range(0, Classes).Average(F1);

    public double MacroF1FiveModes => Enumerable.Range(1, Classes - 1).Average(F1);

    public long Actual(int c) => Enumerable.Range(0, Classes).Sum(p => Confusion[c, p]);

    public static ModeEvaluation Compute(IEnumerable<(int Actual, int Predicted)> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var confusion = new long[Classes, Classes];
        foreach (var (actual, predicted) in classes)
        {
            confusion[actual, predicted]++;
        }

        return new ModeEvaluation(confusion);
    }
}
