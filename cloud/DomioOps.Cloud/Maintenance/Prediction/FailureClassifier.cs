using System.Diagnostics;
using System.Globalization;

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// Will this machine fail within the horizon? An ML.NET FastTree binary classifier (gradient-boosted trees on the
/// logistic loss) whose raw score is turned into a probability by the Platt sigmoid FastTree fits with it. Training
/// runs in ML.NET; scoring and explaining walk the trained trees copied out of it (<see cref="BoostedTrees"/>), so
/// <see cref="Probability"/> is thread-safe, allocation-free and needs no PredictionEngine.
/// </summary>
public sealed partial class FailureClassifier
{
    private readonly BoostedTrees _ensemble;
    private readonly byte[] _mlNetModel;

    private FailureClassifier(FeatureSchema schema, BoostedTrees ensemble, byte[] mlNetModel)
    {
        Schema = schema;
        _ensemble = ensemble;
        _mlNetModel = mlNetModel;
    }

    public FeatureSchema Schema { get; }

    /// <summary>Σ FastTree split gain per feature, scaled to sum to 1, in schema order.</summary>
    public IReadOnlyList<(FeatureDefinition Feature, double Importance)> Importance =>
        [.. _ensemble.GainImportance(Schema.Features.Count).Select((gain, i) => (Schema.Features[i], gain))];

    /// <summary>The trees FastTree grew (fewer than asked for when boosting found nothing more to split).</summary>
    public int TreeCount => _ensemble.Trees.Count;

    public static FailureClassifier Train(FeatureSchema schema, IReadOnlyList<TrainingExample> examples,
        FailureClassifierOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var positives = Check(schema, examples);
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"FastTree: {options.Trees} trees of up to {options.Leaves} leaves on {examples.Count:N0} examples of {schema.Features.Count} features ({positives:N0} failing)"));
        var started = Stopwatch.GetTimestamp();
        var ml = new MLContext(options.Seed);
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, schema.Features.Count);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new Row { Features = e.Features, Label = e.Fails, Weight = e.Weight }), definition);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            ExampleWeightColumnName = examples.Any(e => e.Weight != 1) ? nameof(Row.Weight) : null,
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
            Seed = options.Seed,
            MaximumBinCountPerFeature = options.Bins,
            CategoricalSplit = false,
        });
        var model = trainer.Fit(data);
        var ensemble = BoostedTrees.From(model.Model.SubModel.TrainedTreeEnsemble, model.Model.Calibrator, examples);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"FastTree: {ensemble.Trees.Count} trees in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        return new FailureClassifier(schema, ensemble, saved.ToArray());
    }

    /// <summary>The calibrated probability of failure for one feature vector (schema order). Thread-safe.</summary>
    public float Probability(ReadOnlySpan<float> features)
    {
        CheckLength(features);
        return _ensemble.Probability(_ensemble.Score(features));
    }

    /// <summary>
    /// The <paramref name="top"/> features that moved this vector's score most, largest |contribution| first; a positive
    /// contribution pushes towards failure (see <see cref="FeatureContribution"/>).
    /// </summary>
    public IReadOnlyList<FeatureContribution> Explain(ReadOnlySpan<float> features, int top)
    {
        CheckLength(features);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        var contributions = new double[Schema.Features.Count];
        _ensemble.Contributions(features, contributions);
        // The probability rises with the score when the Platt slope is negative (FastTree's is −2·sigmoid parameter).
        var towardsFailure = _ensemble.PlattSlope <= 0 ? 1 : -1;
        var explained = new FeatureContribution[contributions.Length];
        for (var i = 0; i < contributions.Length; i++)
        {
            explained[i] = new FeatureContribution(Schema.Features[i], features[i], (float)(towardsFailure * contributions[i]));
        }

        return [.. explained.OrderByDescending(c => Math.Abs(c.Contribution)).ThenBy(c => c.Feature.Key, StringComparer.Ordinal).Take(top)];
    }

    /// <summary>The raw score (log-odds units) and the score every vector starts from; for tests and reports.</summary>
    internal (double Score, double Expected) RawScore(ReadOnlySpan<float> features)
    {
        CheckLength(features);
        return (_ensemble.Score(features), _ensemble.ExpectedScore);
    }

    private void CheckLength(ReadOnlySpan<float> features)
    {
        if (features.Length != Schema.Features.Count)
        {
            throw new ArgumentException($"The model takes {Schema.Features.Count} features ({string.Join(", ", Schema.Features.Select(f => f.Key))}); got {features.Length}.", nameof(features));
        }
    }

    private static int Check(FeatureSchema schema, IReadOnlyList<TrainingExample> examples)
    {
        if (schema.Features.Count == 0)
        {
            throw new ArgumentException("The schema has no feature.", nameof(schema));
        }

        var duplicate = schema.Features.GroupBy(f => f.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Feature key '{duplicate.Key}' appears twice in the schema.", nameof(schema));
        }

        var positives = 0;
        for (var e = 0; e < examples.Count; e++)
        {
            var features = examples[e].Features;
            if (features.Length != schema.Features.Count)
            {
                throw new ArgumentException($"Example {e} has {features.Length} features; the schema has {schema.Features.Count}.", nameof(examples));
            }

            for (var f = 0; f < features.Length; f++)
            {
                if (!float.IsFinite(features[f]))
                {
                    throw new ArgumentException($"Example {e}: feature '{schema.Features[f].Key}' is {features[f].ToString(CultureInfo.InvariantCulture)}; impute missing values before training.", nameof(examples));
                }
            }

            if (!float.IsFinite(examples[e].Weight) || examples[e].Weight <= 0)
            {
                throw new ArgumentException($"Example {e} weighs {examples[e].Weight.ToString(CultureInfo.InvariantCulture)}; a weight is a positive number.", nameof(examples));
            }

            positives += examples[e].Fails ? 1 : 0;
        }

        if (positives == 0 || positives == examples.Count)
        {
            throw new ArgumentException($"The {examples.Count} examples need both failing and healthy ones to train a classifier; {positives} fail.", nameof(examples));
        }

        return positives;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }
}
