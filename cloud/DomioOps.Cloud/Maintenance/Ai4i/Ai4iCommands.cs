using System.Diagnostics;
using System.Globalization;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary><c>maintenance ai4i-train</c> and <c>maintenance ai4i-score</c>.</summary>
internal static class Ai4iCommands
{
    /// <summary>
    /// Cross-validates on the file (printing each fold), prints the pooled out-of-fold metrics, then trains the model on
    /// every row and writes it (and the HTML report of the cross-validation).
    /// </summary>
    public static async Task<int> TrainAsync(CommandOptions options, TextWriter output)
    {
        var dataPath = options.Required("data");
        var modelPath = options.Required("model");
        var reportPath = options.Optional("report");
        var folds = options.Integer("folds", 5, 2);
        var seed = options.Integer("seed", 1, 0);
        var settings = Ai4iSettings.Default.WithSeed(seed);
        if (options.Integer("trees", 0, 1) is > 0 and var trees)
        {
            settings = settings.WithTrees(trees);
        }

        // Tuning on the cross-validation folds: the failure model's settings.
        settings = settings with
        {
            Failure = settings.Failure with
            {
                Leaves = options.Integer("leaves", settings.Failure.Leaves, 2),
                MinimumExamplesPerLeaf = options.Integer("min-leaf", settings.Failure.MinimumExamplesPerLeaf, 1),
                Bins = options.Integer("bins", settings.Failure.Bins, 2),
                LearningRate = options.Optional("learning-rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : settings.Failure.LearningRate,
            },
            ThresholdFolds = options.Integer("threshold-folds", settings.ThresholdFolds, 2),
            FixedThreshold = options.Optional("threshold") is { } fixedThreshold ? float.Parse(fixedThreshold, CultureInfo.InvariantCulture) : null,
        };

        options.NoneLeft();
        var records = Ai4iCsv.Load(dataPath);
        var progress = new WriterProgress(output);
        var started = Stopwatch.GetTimestamp();
        output.WriteLine(Describe(dataPath, records));
        output.WriteLine($"features: {string.Join(", ", Ai4iFeatures.Schema.Features.Select(f => f.Key))} (never TWF/HDF/PWF/OSF/RNF)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cross-validation: {folds} folds stratified by class, seed {seed}; failure model {settings.Failure.Trees} trees × {settings.Failure.Leaves} leaves, learning rate {settings.Failure.LearningRate}"));
        var result = Ai4iCrossValidation.Run(records, settings, folds, seed, progress);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"out-of-fold metrics over {records.Count:N0} rows (each predicted by the fold model that did not see it):"));
        Print(output, result.Binary, result.Modes);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  F1 per fold            {string.Join(" ", result.FoldF1.Select(f => f.ToString("0.000", CultureInfo.InvariantCulture)))} (mean {result.FoldF1.Average():0.000}, sd {StandardDeviation(result.FoldF1):0.000})"));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training the model on all {records.Count:N0} rows"));
        var model = Ai4iModel.Train(records, settings, progress);
        await WriteAtomicallyAsync(modelPath, model.Save);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: {modelPath} ({new FileInfo(modelPath).Length / 1024.0:N0} KiB), threshold {model.Threshold:0.000}"));
        if (reportPath is not null)
        {
            var report = Report($"AI4I 2020 failure model: {folds}-fold cross-validation", Describe(dataPath, records) + "; out-of-fold predictions",
                result.Binary, result.Modes, model) with
            {
                Metrics = [.. Metrics(result.Modes), new ReportMetric("F1 per fold", string.Join(" ", result.FoldF1.Select(f => f.ToString("0.000", CultureInfo.InvariantCulture))),
                    string.Create(CultureInfo.InvariantCulture, $"mean {result.FoldF1.Average():0.000}, sd {StandardDeviation(result.FoldF1):0.000}; thresholds {string.Join(" ", result.FoldThresholds.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}"))],
            };
            await WriteAtomicallyAsync(reportPath, stream => WriteReport(stream, report));
            output.WriteLine($"report: {reportPath}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s"));
        return 0;
    }

    /// <summary>Scores a file with a saved model and prints the same metrics as training, for rows the model never saw.</summary>
    public static async Task<int> ScoreAsync(CommandOptions options, TextWriter output)
    {
        var modelPath = options.Required("model");
        var dataPath = options.Required("data");
        var reportPath = options.Optional("report");
        options.NoneLeft();
        Ai4iModel model;
        await using (var file = File.OpenRead(modelPath))
        {
            model = Ai4iModel.Load(file);
        }

        var records = Ai4iCsv.Load(dataPath);
        output.WriteLine(Describe(dataPath, records));
        var scored = new (bool Actual, float Probability)[records.Count];
        var classes = new (int Actual, int Predicted)[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var (probability, predicted) = model.Predict(records[i]);
            scored[i] = (records[i].MachineFailure, probability);
            classes[i] = (Ai4iClasses.Of(records[i]), predicted);
        }

        var binary = BinaryEvaluation.Compute(scored, model.Threshold);
        var modes = ModeEvaluation.Compute(classes);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"metrics of {modelPath} (threshold {model.Threshold:0.000}) over {records.Count:N0} rows:"));
        Print(output, binary, modes);
        if (reportPath is not null)
        {
            var report = Report($"AI4I 2020 failure model scored on {Path.GetFileName(dataPath)}", Describe(dataPath, records), binary, modes, model) with { Metrics = Metrics(modes) };
            await WriteAtomicallyAsync(reportPath, stream => WriteReport(stream, report));
            output.WriteLine($"report: {reportPath}");
        }

        return 0;
    }

    internal static void Print(TextWriter output, BinaryEvaluation binary, ModeEvaluation modes)
    {
        var c = binary.Confusion;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  F1 (failure)           {binary.F1:0.000}  precision {binary.Precision:0.000}  recall {binary.Recall:0.000}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PR-AUC                 {binary.PrAuc:0.000}  (average precision)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  confusion              TP {c.TruePositives}  FP {c.FalsePositives}  TN {c.TrueNegatives}  FN {c.FalseNegatives}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  macro-F1, six classes  {modes.MacroF1SixClasses:0.000}  (mean F1 of no failure, TWF, HDF, PWF, OSF, RNF)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  macro-F1, five modes   {modes.MacroF1FiveModes:0.000}  (mean F1 of TWF, HDF, PWF, OSF, RNF)"));
        output.WriteLine("  F1 per class           " + string.Join("  ", Enumerable.Range(0, ModeEvaluation.Classes).Select(k =>
            string.Create(CultureInfo.InvariantCulture, $"{Ai4iClasses.Names[k]} {modes.F1(k):0.000} (n={modes.Actual(k)})"))));
    }

    private static List<ReportMetric> Metrics(ModeEvaluation modes) =>
    [
        new("Macro-F1, six classes", modes.MacroF1SixClasses.ToString("0.000", CultureInfo.InvariantCulture), "mean F1 over no failure, TWF, HDF, PWF, OSF, RNF"),
        new("Macro-F1, five modes", modes.MacroF1FiveModes.ToString("0.000", CultureInfo.InvariantCulture), "mean F1 over TWF, HDF, PWF, OSF, RNF"),
    ];

    private static EvaluationReportModel Report(string title, string dataRange, BinaryEvaluation binary, ModeEvaluation modes, Ai4iModel model)
    {
        var names = Ai4iClasses.Names;
        return new EvaluationReportModel(title, dataRange, binary)
        {
            FeatureImportance = model.Failure.Importance,
            Tables =
            [
                new ReportTable("F1 per class", ["class", "rows", "F1"],
                    [.. Enumerable.Range(0, ModeEvaluation.Classes).Select(k => new[] { names[k], modes.Actual(k).ToString(CultureInfo.InvariantCulture), modes.F1(k).ToString("0.000", CultureInfo.InvariantCulture) })]),
                new ReportTable("Six-class confusion matrix (rows: actual, columns: predicted)", ["actual \\ predicted", .. names],
                    [.. Enumerable.Range(0, ModeEvaluation.Classes).Select(a => Enumerable.Range(0, ModeEvaluation.Classes).Select(p => modes.Confusion[a, p].ToString(CultureInfo.InvariantCulture)).Prepend(names[a]).ToArray())]),
            ],
            Notes =
            [
                "Inputs: " + string.Join("; ", Ai4iFeatures.Schema.Features.Select(f => $"{f.Text} [{f.Unit}]")) + ". The failure-mode flags TWF, HDF, PWF, OSF and RNF are never inputs: any of them set gives the label away.",
                Ai4iClasses.Labelling,
                "Per-class F1 = 2·TP / (2·TP + FP + FN), 0 when TP = 0. Macro-F1 over six classes is the mean over no failure and the five modes; over five modes, the mean over the modes alone (rows of no failure still count as errors of a mode they are mistaken for).",
                "The decision threshold is the best-F1 threshold over the out-of-fold probabilities of an inner 3-fold cross-validation on each model's training rows; a predicted failure takes the mode whose one-vs-rest classifier gives the highest probability.",
            ],
            Generated = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        };
    }

    private static void WriteReport(Stream stream, EvaluationReportModel report)
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        EvaluationReport.Write(writer, report);
    }

    private static string Describe(string path, IReadOnlyList<Ai4iRecord> records) =>
        string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)}: {records.Count:N0} rows, {records.Count(r => r.MachineFailure):N0} failures (")
        + string.Join(", ", Enumerable.Range(1, ModeEvaluation.Classes - 1).Select(k => $"{Ai4iClasses.Names[k]} {records.Count(r => Ai4iClasses.Of(r) == k)}")) + ")";

    private static double StandardDeviation(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and moves it over, so a failed run leaves no half file.</summary>
    private static async Task WriteAtomicallyAsync(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            write(file);
            await file.FlushAsync();
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Progress written straight to the output, in order (Progress&lt;T&gt; would post it to the thread pool).</summary>
    private sealed class WriterProgress(TextWriter output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine("  " + value);
    }
}
