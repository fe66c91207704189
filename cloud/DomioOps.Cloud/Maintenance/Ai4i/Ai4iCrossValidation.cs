using System.Globalization;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>
/// What a stratified k-fold cross-validation found. Every row is predicted once, by the model of the fold that held it
/// out (its threshold chosen inside that fold's training rows); <see cref="Binary"/> and <see cref="Modes"/> pool those
/// out-of-fold predictions: the confusion matrices are summed, PR-AUC and the PR curve are over the pooled probabilities
/// (<see cref="BinaryEvaluation.Threshold"/> is then the mean of the folds' thresholds, for the record only).
/// </summary>
public sealed record Ai4iCrossValidationResult(BinaryEvaluation Binary, ModeEvaluation Modes, IReadOnlyList<double> FoldF1,
    IReadOnlyList<float> FoldThresholds, IReadOnlyList<(bool Actual, float Probability)> OutOfFold);

/// <summary>Stratified k-fold cross-validation of <see cref="Ai4iModel"/>.</summary>
public static class Ai4iCrossValidation
{
    /// <summary>
    /// The fold (0 … k−1) of each row: stratified by class (<see cref="Ai4iClasses"/>), so every fold has its share of
    /// each failure mode; rows are shuffled within a class with <paramref name="seed"/> and dealt to the folds in turn.
    /// </summary>
    public static int[] Folds(IReadOnlyList<Ai4iRecord> records, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var random = new Random(seed);
        var folds = new int[records.Count];
        var next = 0;
        foreach (var group in Enumerable.Range(0, records.Count).GroupBy(i => Ai4iClasses.Of(records[i])).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            foreach (var row in rows)
            {
                // Continuing the deal across classes keeps the folds' sizes within one row of each other.
                folds[row] = next++ % k;
            }
        }

        return folds;
    }

    public static Ai4iCrossValidationResult Run(IReadOnlyList<Ai4iRecord> records, Ai4iSettings settings, int k, int seed, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(settings);
        var folds = Folds(records, k, seed);
        var outOfFold = new (bool Actual, float Probability)[records.Count];
        var classes = new (int Actual, int Predicted)[records.Count];
        var foldF1 = new List<double>();
        var thresholds = new List<float>();
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var fold = 0; fold < k; fold++)
        {
            var training = records.Where((_, i) => folds[i] != fold).ToList();
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"fold {fold + 1}/{k}: training on {training.Count:N0} rows ({training.Count(r => r.MachineFailure)} failures)"));
            var model = Ai4iModel.Train(training, settings, progress);
            var held = new List<(bool Actual, float Probability)>();
            for (var i = 0; i < records.Count; i++)
            {
                if (folds[i] == fold)
                {
                    var (probability, predicted) = model.Predict(records[i]);
                    outOfFold[i] = (records[i].MachineFailure, probability);
                    classes[i] = (Ai4iClasses.Of(records[i]), predicted);
                    held.Add(outOfFold[i]);
                }
            }

            var evaluation = BinaryEvaluation.Compute(held, model.Threshold);
            foldF1.Add(evaluation.F1);
            thresholds.Add(model.Threshold);
            (tp, fp, tn, fn) = (tp + evaluation.Confusion.TruePositives, fp + evaluation.Confusion.FalsePositives,
                tn + evaluation.Confusion.TrueNegatives, fn + evaluation.Confusion.FalseNegatives);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"fold {fold + 1}/{k}: F1 {evaluation.F1:0.000} (precision {evaluation.Precision:0.000}, recall {evaluation.Recall:0.000}) on {held.Count:N0} held-out rows"));
        }

        var pooled = BinaryEvaluation.Compute(outOfFold, thresholds.Average());
        var precision = BinaryEvaluation.Ratio(tp, tp + fp);
        var recall = BinaryEvaluation.Ratio(tp, tp + fn);
        var binary = pooled with
        {
            Precision = precision,
            Recall = recall,
            F1 = BinaryEvaluation.F1Of(precision, recall),
            Confusion = new ConfusionMatrix(tp, fp, tn, fn),
        };
        return new Ai4iCrossValidationResult(binary, ModeEvaluation.Compute(classes), foldF1, thresholds, outOfFold);
    }
}
