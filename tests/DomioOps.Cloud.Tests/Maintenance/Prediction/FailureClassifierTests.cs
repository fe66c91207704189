using System.IO.Compression;

using DomioOps.Cloud.Maintenance.Prediction;

using Microsoft.ML;
using Microsoft.ML.Data;

namespace DomioOps.Cloud.Tests.Maintenance.Prediction;

public sealed class FailureClassifierTests
{
    private static readonly FeatureSchema TestSchema = new(
    [
        new FeatureDefinition("temperature", "bearing temperature, mean over 1 h", "°C"),
        new FeatureDefinition("noise", "a feature unrelated to failure", "1"),
    ]);

    private static readonly FailureClassifierOptions Options = new(Trees: 20, Leaves: 4, LearningRate: 0.3, MinimumExamplesPerLeaf: 5, Seed: 7);

    /// <summary>400 examples: temperature 0-99 °C four times over, noise (37·i mod 11); a machine fails at 60 °C and above.</summary>
    private static List<TrainingExample> Examples() =>
        [.. Enumerable.Range(0, 400).Select(i => new TrainingExample([i % 100, (i * 37) % 11], i % 100 >= 60))];

    private static readonly Lazy<FailureClassifier> Model = new(() => FailureClassifier.Train(TestSchema, Examples(), Options));

    [Fact]
    public void Probability_HotAndColdBearings_HighAndLow()
    {
        var model = Model.Value;

        Assert.True(model.Probability([90, 5]) > 0.9f, $"hot: {model.Probability([90, 5])}");
        Assert.True(model.Probability([10, 5]) < 0.1f, $"cold: {model.Probability([10, 5])}");
        Assert.True(model.Probability([59, 5]) < 0.5f && model.Probability([60, 5]) > 0.5f, "the learned boundary lies between 59 and 60 °C");
    }

    [Fact]
    public void Probability_SameAsMlNetPredictionEngineOnTheSavedModel()
    {
        var model = Model.Value;
        var ml = new MLContext(1);
        var loaded = ml.Model.Load(new MemoryStream(model.MlNetModel), out _);
        using var engine = ml.Model.CreatePredictionEngine<MlNetInput, MlNetOutput>(loaded);

        for (var t = -5; t <= 105; t++)
        {
            float[] features = [t + 0.5f, (t * 3) % 11];
            var expected = engine.Predict(new MlNetInput { Features = features }).Probability;
            Assert.Equal(expected, model.Probability(features), tolerance: 1e-5);
        }
    }

    [Fact]
    public void Explain_HotBearing_TemperatureFirstAndPushesTowardsFailure()
    {
        var explained = Model.Value.Explain([90, 5], top: 2);

        Assert.Equal(2, explained.Count);
        Assert.Equal("temperature", explained[0].Feature.Key);
        Assert.Equal(90f, explained[0].Value);
        Assert.True(explained[0].Contribution > 0);
        Assert.True(Math.Abs(explained[0].Contribution) >= Math.Abs(explained[1].Contribution));
    }

    [Fact]
    public void Explain_ColdBearing_TemperaturePushesAwayFromFailure()
    {
        var explained = Model.Value.Explain([10, 5], top: 1);

        Assert.Equal("temperature", Assert.Single(explained).Feature.Key);
        Assert.True(explained[0].Contribution < 0);
    }

    [Fact]
    public void Explain_Contributions_AddUpToScoreMinusExpectedScore()
    {
        var model = Model.Value;
        float[][] vectors = [[90, 5], [10, 0], [60, 10], [59.5f, 3]];
        foreach (var features in vectors)
        {
            var (score, expected) = model.RawScore(features);
            var sum = model.Explain(features, top: 2).Sum(c => (double)c.Contribution);
            Assert.Equal(score - expected, sum, 4);
        }
    }

    [Fact]
    public void Probability_ManyThreadsAtOnce_SameAsOneThread()
    {
        var model = Model.Value;
        var sequential = new float[10_000];
        for (var i = 0; i < sequential.Length; i++)
        {
            sequential[i] = model.Probability([i % 113, i % 11]);
        }

        var parallel = new float[sequential.Length];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = model.Probability([i % 113, i % 11]));

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameSchemaAndProbabilities()
    {
        var model = Model.Value;
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;

        var loaded = FailureClassifier.Load(stream);

        Assert.Equal(TestSchema.Features, loaded.Schema.Features);
        Assert.Equal(model.TreeCount, loaded.TreeCount);
        for (var t = 0; t < 100; t++)
        {
            Assert.Equal(model.Probability([t, t % 11]), loaded.Probability([t, t % 11]));
        }

        Assert.Equal(model.Explain([75, 2], 2), loaded.Explain([75, 2], 2));
    }

    [Fact]
    public void Train_SameSeed_SameModel()
    {
        var again = FailureClassifier.Train(TestSchema, Examples(), Options);

        for (var t = 0; t < 100; t++)
        {
            Assert.Equal(Model.Value.Probability([t, 4]), again.Probability([t, 4]));
        }
    }

    [Fact]
    public void Importance_TemperatureCarriesNearlyAllTheGain()
    {
        var importance = Model.Value.Importance;

        Assert.Equal(["temperature", "noise"], importance.Select(i => i.Feature.Key));
        Assert.Equal(1.0, importance.Sum(i => i.Importance), 9);
        Assert.True(importance[0].Importance > 0.9, $"temperature: {importance[0].Importance}");
    }

    [Fact]
    public void Train_OnlyHealthyExamples_ThrowsNamingTheCount()
    {
        var healthy = Examples().Select(e => e with { Fails = false }).ToList();

        var error = Assert.Throws<ArgumentException>(() => FailureClassifier.Train(TestSchema, healthy, Options));

        Assert.Contains("0 fail", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_NaNFeature_ThrowsNamingExampleAndFeature()
    {
        var examples = Examples();
        examples[3] = new TrainingExample([float.NaN, 1], false);

        var error = Assert.Throws<ArgumentException>(() => FailureClassifier.Train(TestSchema, examples, Options));

        Assert.Contains("Example 3: feature 'temperature' is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probability_WrongLength_ThrowsListingTheFeatures()
    {
        var error = Assert.Throws<ArgumentException>(() => Model.Value.Probability([1, 2, 3]));

        Assert.Contains("2 features (temperature, noise); got 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ZipWithoutSchema_ThrowsInvalidData()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("other.txt");
        }

        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => FailureClassifier.Load(stream));
        Assert.Contains("schema.json", error.Message, StringComparison.Ordinal);
    }

    private sealed class MlNetInput
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private sealed class MlNetOutput
    {
        public float Probability { get; set; }
    }
}
