using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>How an <see cref="Ai4iModel"/> is trained.</summary>
/// <param name="Failure">FastTree settings of the failure / no failure classifier.</param>
/// <param name="Modes">FastTree settings of the five one-vs-rest mode classifiers.</param>
/// <param name="ThresholdFolds">Folds of the inner cross-validation that picks the decision threshold.</param>
/// <param name="Seed">Seed of the inner folds' shuffle.</param>
/// <param name="FixedThreshold">A decision threshold to use instead of the inner cross-validation's.</param>
public sealed record Ai4iSettings(FailureClassifierOptions Failure, FailureClassifierOptions Modes, int ThresholdFolds = 3, int Seed = 1, float? FixedThreshold = null)
{
    /// <summary>The settings chosen on the cross-validation folds of the training file (README: "AI4I 2020").</summary>
    public static Ai4iSettings Default { get; } = new(
        new FailureClassifierOptions(Trees: 600, Leaves: 8, LearningRate: 0.05, MinimumExamplesPerLeaf: 2, Bins: 1023),
        new FailureClassifierOptions(Trees: 600, Leaves: 8, LearningRate: 0.1, MinimumExamplesPerLeaf: 3));

    public Ai4iSettings WithSeed(int seed) => this with { Seed = seed, Failure = Failure with { Seed = seed }, Modes = Modes with { Seed = seed } };

    public Ai4iSettings WithTrees(int trees) => this with { Failure = Failure with { Trees = trees }, Modes = Modes with { Trees = trees } };
}

/// <summary>
/// The AI4I 2020 model: a <see cref="FailureClassifier"/> for failure / no failure with its decision threshold, and one
/// one-vs-rest classifier per failure mode. A row is "no failure" below the threshold; at or above it, the mode whose
/// classifier gives the highest probability. The threshold is the best-F1 threshold over the out-of-fold probabilities of
/// an inner stratified cross-validation on the training rows only.
/// </summary>
public sealed class Ai4iModel
{
    private const int Format = 1;
    private const string SettingsEntry = "ai4i.json";

    private Ai4iModel(FailureClassifier failure, IReadOnlyList<FailureClassifier?> modes, float threshold)
    {
        Failure = failure;
        Modes = modes;
        Threshold = threshold;
    }

    public FailureClassifier Failure { get; }

    /// <summary>TWF, HDF, PWF, OSF, RNF; null for a mode the training rows had fewer than two failures of (never predicted).</summary>
    public IReadOnlyList<FailureClassifier?> Modes { get; }

    public float Threshold { get; }

    public static Ai4iModel Train(IReadOnlyList<Ai4iRecord> records, Ai4iSettings settings, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(settings);
        var features = records.Select(Ai4iFeatures.Of).ToArray();
        var failures = features.Select((f, i) => new TrainingExample(f, records[i].MachineFailure)).ToList();

        var threshold = settings.FixedThreshold ?? InnerThreshold(records, features, failures, settings);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"threshold {threshold:0.000} ({(settings.FixedThreshold is null ? $"best F1 over a {settings.ThresholdFolds}-fold inner cross-validation" : "fixed")})"));
        var failure = FailureClassifier.Train(Ai4iFeatures.Schema, failures, settings.Failure);
        var modes = new FailureClassifier?[Ai4iClasses.Modes.Count];
        for (var m = 0; m < modes.Length; m++)
        {
            var examples = features.Select((f, i) => new TrainingExample(f, Ai4iClasses.HasMode(records[i], m))).ToList();
            modes[m] = examples.Count(e => e.Fails) >= 2 ? FailureClassifier.Train(Ai4iFeatures.Schema, examples, settings.Modes) : null;
        }

        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"trained on {records.Count:N0} rows: failure model and {modes.Count(m => m is not null)} mode models"));
        return new Ai4iModel(failure, modes, threshold);
    }

    /// <summary>The probability of failure and the class (<see cref="Ai4iClasses"/>) of one row.</summary>
    public (float Probability, int Class) Predict(Ai4iRecord record)
    {
        var features = Ai4iFeatures.Of(record);
        var probability = Failure.Probability(features);
        if (probability < Threshold)
        {
            return (probability, Ai4iClasses.NoFailure);
        }

        var best = (Class: 5, Probability: -1f);
        for (var m = 0; m < Modes.Count; m++)
        {
            if (Modes[m] is { } mode && mode.Probability(features) is var p && p > best.Probability)
            {
                best = (m + 1, p);
            }
        }

        return (probability, best.Class);
    }

    /// <summary>The best-F1 threshold over out-of-fold probabilities: the full model's own training scores would be too sure.</summary>
    private static float InnerThreshold(IReadOnlyList<Ai4iRecord> records, float[][] features, List<TrainingExample> failures, Ai4iSettings settings)
    {
        var folds = Ai4iCrossValidation.Folds(records, settings.ThresholdFolds, settings.Seed);
        var outOfFold = new (bool Actual, float Probability)[records.Count];
        for (var fold = 0; fold < settings.ThresholdFolds; fold++)
        {
            var inner = FailureClassifier.Train(Ai4iFeatures.Schema, [.. failures.Where((_, i) => folds[i] != fold)], settings.Failure);
            for (var i = 0; i < records.Count; i++)
            {
                if (folds[i] == fold)
                {
                    outOfFold[i] = (failures[i].Fails, inner.Probability(features[i]));
                }
            }
        }

        return BinaryEvaluation.BestF1Threshold(outOfFold);
    }

    /// <summary>A zip of <c>ai4i.json</c> (threshold, labelling) and one saved <see cref="FailureClassifier"/> per model.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        using (var entry = zip.CreateEntry(SettingsEntry).Open())
        {
            JsonSerializer.Serialize(entry, new SettingsFile(Format, Threshold, [.. Modes.Select(m => m is not null)], Ai4iClasses.Labelling));
        }

        Put(zip, "failure.zip", Failure);
        for (var m = 0; m < Modes.Count; m++)
        {
            if (Modes[m] is { } mode)
            {
                Put(zip, $"mode-{Ai4iClasses.Names[m + 1]}.zip", mode);
            }
        }
    }

    public static Ai4iModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var entry = zip.GetEntry(SettingsEntry) ?? throw new InvalidDataException($"The model zip has no {SettingsEntry}: not an AI4I model (made by 'maintenance ai4i-train').");
        SettingsFile settings;
        using (var json = entry.Open())
        {
            settings = JsonSerializer.Deserialize<SettingsFile>(json) ?? throw new InvalidDataException($"{SettingsEntry} is empty.");
        }

        if (settings.Format != Format || settings.Modes.Count != Ai4iClasses.Modes.Count)
        {
            throw new InvalidDataException($"The AI4I model is in format {settings.Format}; this build reads format {Format}.");
        }

        var modes = new FailureClassifier?[Ai4iClasses.Modes.Count];
        for (var m = 0; m < modes.Length; m++)
        {
            modes[m] = settings.Modes[m] ? Get(zip, $"mode-{Ai4iClasses.Names[m + 1]}.zip") : null;
        }

        return new Ai4iModel(Get(zip, "failure.zip"), modes, settings.Threshold);
    }

    private static void Put(ZipArchive zip, string name, FailureClassifier classifier)
    {
        using var buffer = new MemoryStream();
        classifier.Save(buffer);
        using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        entry.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static FailureClassifier Get(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The AI4I model zip has no {name}.");
        using var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        return FailureClassifier.Load(buffer);
    }

    private sealed record SettingsFile(int Format, float Threshold, IReadOnlyList<bool> Modes, string Labelling);
}
