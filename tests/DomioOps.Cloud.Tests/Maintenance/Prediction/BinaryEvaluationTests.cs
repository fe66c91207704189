using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Tests.Maintenance.Prediction;

public sealed class BinaryEvaluationTests
{
    // Six examples, three failing, scores falling. Counted by hand at each threshold (predict failure when p ≥ t):
    //   t    TP FP  precision recall  F1
    //   0.9  1  0   1         1/3     0.5
    //   0.8  1  1   1/2       1/3     0.4
    //   0.7  2  1   2/3       2/3     2/3
    //   0.6  2  2   1/2       2/3     4/7
    //   0.5  3  2   3/5       1       3/4   ← best F1
    //   0.4  3  3   1/2       1       2/3
    // AP = 1/3·1 + 0·1/2 + 1/3·2/3 + 0·1/2 + 1/3·3/5 + 0·1/2 = 1/3 + 2/9 + 1/5 = 34/45.
    private static readonly (bool Actual, float Probability)[] Six =
        [(true, 0.9f), (false, 0.8f), (true, 0.7f), (false, 0.6f), (true, 0.5f), (false, 0.4f)];

    [Fact]
    public void Compute_SixExamplesAtHalf_MatchesHandCountedMetrics()
    {
        var evaluation = BinaryEvaluation.Compute(Six, 0.5f);

        Assert.Equal(new ConfusionMatrix(3, 2, 1, 0), evaluation.Confusion);
        Assert.Equal(0.6, evaluation.Precision, 12);
        Assert.Equal(1.0, evaluation.Recall, 12);
        Assert.Equal(0.75, evaluation.F1, 12);
        Assert.Equal(34.0 / 45, evaluation.PrAuc, 12);
        Assert.Equal(0.5f, evaluation.Threshold);
    }

    [Fact]
    public void Compute_SixExamples_CurveHasStartAndOnePointPerThreshold()
    {
        var curve = BinaryEvaluation.Compute(Six, 0.5f).PrCurve;

        (double, double)[] expected = [(0, 1), (1.0 / 3, 1), (1.0 / 3, 0.5), (2.0 / 3, 2.0 / 3), (2.0 / 3, 0.5), (1, 0.6), (1, 0.5)];
        Assert.Equal(expected.Length, curve.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Item1, curve[i].Recall, 12);
            Assert.Equal(expected[i].Item2, curve[i].Precision, 12);
        }
    }

    [Fact]
    public void BestF1Threshold_SixExamples_IsTheThresholdOfF1ThreeQuarters()
    {
        Assert.Equal(0.5f, BinaryEvaluation.BestF1Threshold(Six));
    }

    [Fact]
    public void BestF1Threshold_TieOfF1_KeepsTheHigherThreshold()
    {
        // t = 0.8: TP 1, FP 0, recall 1/2 → F1 2/3; t = 0.3: TP 2, FP 2 → precision 1/2, recall 1 → F1 2/3.
        (bool, float)[] scored = [(true, 0.8f), (false, 0.6f), (false, 0.5f), (true, 0.3f)];

        Assert.Equal(0.8f, BinaryEvaluation.BestF1Threshold(scored));
    }

    [Fact]
    public void Compute_TiedProbabilities_AreOneThreshold()
    {
        // t = 0.5 takes both tied examples at once: precision 1/2, recall 1/2; t = 0.2: precision 2/3, recall 1.
        // AP = 1/2·1/2 + 1/2·2/3 = 7/12; taking the tied failure first, alone, would give 1/2·1 + 1/2·2/3 = 5/6.
        (bool, float)[] scored = [(false, 0.5f), (true, 0.5f), (true, 0.2f)];

        var evaluation = BinaryEvaluation.Compute(scored, 0.5f);

        Assert.Equal(7.0 / 12, evaluation.PrAuc, 12);
        Assert.Equal(3, evaluation.PrCurve.Count);
        Assert.Equal(new ConfusionMatrix(1, 1, 0, 1), evaluation.Confusion);
    }

    [Fact]
    public void Compute_NoFailingExample_ZeroRecallPrecisionAndPrAuc()
    {
        (bool, float)[] scored = [(false, 0.9f), (false, 0.1f)];

        var evaluation = BinaryEvaluation.Compute(scored, 0.5f);

        Assert.Equal(new ConfusionMatrix(0, 1, 1, 0), evaluation.Confusion);
        Assert.Equal(0, evaluation.Precision);
        Assert.Equal(0, evaluation.Recall);
        Assert.Equal(0, evaluation.F1);
        Assert.Equal(0, evaluation.PrAuc);
        Assert.Equal(0.5f, BinaryEvaluation.BestF1Threshold(scored));
    }

    [Fact]
    public void Compute_ThresholdAboveEveryScore_NoPredictedFailure()
    {
        var evaluation = BinaryEvaluation.Compute(Six, 0.95f);

        Assert.Equal(new ConfusionMatrix(0, 0, 3, 3), evaluation.Confusion);
        Assert.Equal(0, evaluation.F1);
    }
}
