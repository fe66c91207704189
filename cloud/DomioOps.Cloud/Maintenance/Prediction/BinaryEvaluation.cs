namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// A binary classifier judged on scored examples: predicted positive when probability ≥ <see cref="Threshold"/>.
/// <see cref="PrAuc"/> is average precision, the step-wise area under the precision-recall curve
/// (AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct probabilities taken as thresholds from the highest down, as scikit-learn's
/// average_precision_score): no interpolation, so it does not flatter a model the way the trapezoidal area can.
/// <see cref="PrCurve"/> holds (recall, precision) at each distinct threshold, highest first, after the (0, 1) start.
/// Precision with no predicted positive, recall with no actual positive and F1 when both are zero are 0.
/// </summary>
public sealed record BinaryEvaluation(double Precision, double Recall, double F1, double PrAuc, ConfusionMatrix Confusion,
    float Threshold, IReadOnlyList<(double Recall, double Precision)> PrCurve)
{
    public static BinaryEvaluation Compute(IReadOnlyList<(bool Actual, float Probability)> scored, float threshold)
    {
        ArgumentNullException.ThrowIfNull(scored);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var (actual, probability) in scored)
        {
            var predicted = probability >= threshold;
            if (predicted && actual)
            {
                tp++;
            }
            else if (predicted)
            {
                fp++;
            }
            else if (actual)
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        var precision = Ratio(tp, tp + fp);
        var recall = Ratio(tp, tp + fn);
        var (curve, averagePrecision) = Curve(scored);
        return new BinaryEvaluation(precision, recall, F1Of(precision, recall), averagePrecision, new ConfusionMatrix(tp, fp, tn, fn), threshold, curve);
    }

    /// <summary>
    /// The distinct probability that, taken as the threshold, gives the highest F1 (the highest such threshold on a tie);
    /// 0.5 when there is no positive example.
    /// </summary>
    public static float BestF1Threshold(IReadOnlyList<(bool Actual, float Probability)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var sorted = Sorted(scored);
        var positives = sorted.Count(s => s.Actual);
        if (positives == 0)
        {
            return 0.5f;
        }

        var best = (F1: -1.0, Threshold: 0.5f);
        long tp = 0, predicted = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var threshold = sorted[i].Probability;
            for (; i < sorted.Length && sorted[i].Probability == threshold; i++)
            {
                predicted++;
                tp += sorted[i].Actual ? 1 : 0;
            }

            var f1 = F1Of(Ratio(tp, predicted), Ratio(tp, positives));
            if (f1 > best.F1)
            {
                best = (f1, threshold);
            }
        }

        return best.Threshold;
    }

    internal static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    internal static double F1Of(double precision, double recall) => precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);

    private static (List<(double Recall, double Precision)> Curve, double AveragePrecision) Curve(IReadOnlyList<(bool Actual, float Probability)> scored)
    {
        var sorted = Sorted(scored);
        var positives = sorted.Count(s => s.Actual);
        var curve = new List<(double Recall, double Precision)> { (0, 1) };
        if (positives == 0)
        {
            return (curve, 0);
        }

        long tp = 0, predicted = 0;
        double previousRecall = 0, averagePrecision = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var threshold = sorted[i].Probability;
            for (; i < sorted.Length && sorted[i].Probability == threshold; i++)
            {
                predicted++;
                tp += sorted[i].Actual ? 1 : 0;
            }

            var recall = Ratio(tp, positives);
            var precision = Ratio(tp, predicted);
            averagePrecision += (recall - previousRecall) * precision;
            previousRecall = recall;
            curve.Add((recall, precision));
        }

        return (curve, averagePrecision);
    }

    private static (bool Actual, float Probability)[] Sorted(IReadOnlyList<(bool Actual, float Probability)> scored)
    {
        var sorted = scored.ToArray();
        foreach (var (_, probability) in sorted)
        {
            if (float.IsNaN(probability))
            {
                throw new ArgumentException("A probability is NaN.", nameof(scored));
            }
        }

        // Stable order within a tie does not matter: a tie is one threshold.
        Array.Sort(sorted, (a, b) => b.Probability.CompareTo(a.Probability));
        return sorted;
    }
}
