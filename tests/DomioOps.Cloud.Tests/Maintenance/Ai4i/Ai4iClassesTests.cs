using DomioOps.Cloud.Maintenance.Ai4i;

namespace DomioOps.Cloud.Tests.Maintenance.Ai4i;

public sealed class Ai4iClassesTests
{
    private static Ai4iRecord Row(bool failure, FailureModes modes) => new(2, "L1", 'L', 300, 310, 1500, 40, 100, failure, modes);

    [Theory]
    [InlineData(false, FailureModes.None, 0)]
    [InlineData(false, FailureModes.Random, 0)] // RNF set on a row that did not fail: no failure
    [InlineData(true, FailureModes.ToolWear, 1)]
    [InlineData(true, FailureModes.HeatDissipation, 2)]
    [InlineData(true, FailureModes.Power, 3)]
    [InlineData(true, FailureModes.Overstrain, 4)]
    [InlineData(true, FailureModes.Random, 5)]
    [InlineData(true, FailureModes.Power | FailureModes.Overstrain, 3)] // several: the first in column order
    [InlineData(true, FailureModes.ToolWear | FailureModes.Overstrain, 1)]
    [InlineData(true, FailureModes.None, 5)] // a failure no flag explains counts as random
    public void Of_Row_ClassByTheStatedLabelling(bool failure, FailureModes modes, int expected)
    {
        Assert.Equal(expected, Ai4iClasses.Of(Row(failure, modes)));
    }

    [Fact]
    public void HasMode_SeveralFlags_PositiveForEach()
    {
        var row = Row(true, FailureModes.Power | FailureModes.Overstrain);

        Assert.Equal([false, false, true, true, false], Enumerable.Range(0, 5).Select(m => Ai4iClasses.HasMode(row, m)));
        Assert.Equal([false, false, false, false, true], Enumerable.Range(0, 5).Select(m => Ai4iClasses.HasMode(Row(true, FailureModes.None), m)));
        Assert.Equal([false, false, false, false, false], Enumerable.Range(0, 5).Select(m => Ai4iClasses.HasMode(Row(false, FailureModes.Random), m)));
    }

    [Fact]
    public void ModeEvaluation_HandCountedExample_PerClassAndMacroF1()
    {
        // Per class F1 = 2TP / (2TP + FP + FN):
        //   no failure: TP 5, FP 2 (a TWF and an RNF predicted healthy), FN 1 → 10/13
        //   TWF: TP 1, FN 1 → 2/3;  HDF: TP 2 → 1;  PWF: TP 0 → 0;  OSF: TP 1, FP 2 → 1/2;  RNF: TP 0 → 0
        (int, int)[] pairs = [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (1, 1), (1, 0), (2, 2), (2, 2), (3, 4), (4, 4), (0, 4), (5, 0)];

        var evaluation = ModeEvaluation.Compute(pairs);

        Assert.Equal([10.0 / 13, 2.0 / 3, 1, 0, 0.5, 0], Enumerable.Range(0, 6).Select(evaluation.F1));
        Assert.Equal(((10.0 / 13) + (2.0 / 3) + 1 + 0.5) / 6, evaluation.MacroF1SixClasses, 12);
        Assert.Equal(((2.0 / 3) + 1 + 0.5) / 5, evaluation.MacroF1FiveModes, 12);
        Assert.Equal(6, evaluation.Actual(0));
    }

    [Fact]
    public void Features_OneRow_PhysicsByHand()
    {
        // 40 Nm at 1500 rpm: ω = 1500 · 2π / 60 = 50π rad/s, power = 2000π W ≈ 6283.19 W; overstrain 100 min · 40 Nm.
        var features = Ai4iFeatures.Of(new Ai4iRecord(2, "M1", 'M', 298.5, 309.0, 1500, 40, 100, false, FailureModes.None));

        Assert.Equal(Ai4iFeatures.Schema.Features.Count, features.Length);
        Assert.Equal(new float[] { 0, 1, 0, 298.5f, 309, 1500, 40, 100, 10.5f }, features[..9]);
        Assert.Equal(2000 * MathF.PI, features[9], 1);
        Assert.Equal(4000f, features[10]);
        Assert.DoesNotContain(Ai4iFeatures.Schema.Features, f => f.Key.ToUpperInvariant() is "TWF" or "HDF" or "PWF" or "OSF" or "RNF");
    }
}
