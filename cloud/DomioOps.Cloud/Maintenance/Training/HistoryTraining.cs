using System.Globalization;
using System.Text.Json.Nodes;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>What a training or an evaluation produced: the model, its policy, the figures and the report.</summary>
internal sealed record TrainingOutcome(FailureClassifier Classifier, AlertPolicy Policy, BinaryEvaluation Evaluation, AlertEvaluation Alerts,
    JsonObject Metrics, string ReportHtml);

/// <summary>
/// Training from machine history: the first three quarters of the span train a <see cref="FailureClassifier"/> (instants
/// whose horizon reaches into the last quarter are left out, so no label sees the validation span), the last quarter
/// chooses the <see cref="AlertPolicy"/> (<see cref="PolicySearch"/>) and is evaluated: precision, recall, PR-AUC and the
/// confusion matrix of the instants at the policy's raise level, and the alerting (wear failures alerted at least 2 h
/// ahead, alert precision, lead times; sudden failures apart).
/// </summary>
internal static class HistoryTraining
{
    public const double TrainingShare = 0.75;

    public static TrainingOutcome Train(MachineClass machineClass, IReadOnlyList<MachineInstants> machines, DateTimeOffset from, DateTimeOffset to,
        TimeSpan horizon, FailureClassifierOptions options, string generated, IProgress<string>? progress)
    {
        var cut = MinuteSeries.Truncate(from + ((to - from) * TrainingShare));
        var schema = MachineFeatures.SchemaOf(machineClass);
        var examples = new List<TrainingExample>();
        foreach (var machine in machines)
        {
            for (var i = 0; i < machine.At.Count; i++)
            {
                if (machine.At[i] + horizon <= cut && machine.Labels[i] is { } fails)
                {
                    examples.Add(new TrainingExample(machine.Features[i], fails, machine.Weights[i]));
                }
            }
        }

        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"training on {examples.Count} instants before {cut:u} ({examples.Count(e => e.Fails)} positive)"));
        var classifier = FailureClassifier.Train(schema, examples, options, progress);
        var (scored, labelled) = Score(classifier, machines, cut, to);
        var (policy, alerts) = PolicySearch.Choose(scored, horizon);
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"policy: raise at {policy.Raise:F2} for {policy.RaiseAfter}, clear below {policy.Clear:F3} for {policy.ClearAfter} scorings; validation: {alerts.AlertedInTime}/{alerts.WearFailures} wear failures alerted ≥ 2 h ahead, alert precision {alerts.Precision:F2}"));
        var evaluation = BinaryEvaluation.Compute(labelled, policy.Raise);
        var title = $"{Title(machineClass)} failure model, trained {generated}";
        var range = string.Create(CultureInfo.InvariantCulture,
            $"trained on {from:yyyy-MM-dd HH:mm} to {cut:yyyy-MM-dd HH:mm} ({examples.Count} instants), validated on {cut:yyyy-MM-dd HH:mm} to {to:yyyy-MM-dd HH:mm} ({labelled.Count} instants), {machines.Count} machines, horizon {horizon.TotalHours:0.#} h");
        var metrics = Metrics(evaluation, alerts, policy, horizon);
        metrics["trainingInstants"] = examples.Count;
        metrics["trainingPositives"] = examples.Count(e => e.Fails);
        return new TrainingOutcome(classifier, policy, evaluation, alerts, metrics, Report(title, range, classifier, evaluation, alerts, policy, horizon, generated));
    }

    /// <summary>A trained model and policy judged on other history (another seed, a later span): the same figures and report.</summary>
    public static TrainingOutcome Evaluate(MachineClass machineClass, FailureClassifier classifier, AlertPolicy policy, IReadOnlyList<MachineInstants> machines,
        DateTimeOffset from, DateTimeOffset to, TimeSpan horizon, string generated)
    {
        var (scored, labelled) = Score(classifier, machines, from, to);
        var alerts = AlertEvaluation.Replay(policy, scored, horizon);
        var evaluation = BinaryEvaluation.Compute(labelled, policy.Raise);
        var title = $"{Title(machineClass)} failure model, evaluated {generated}";
        var range = string.Create(CultureInfo.InvariantCulture,
            $"{from:yyyy-MM-dd HH:mm} to {to:yyyy-MM-dd HH:mm} ({labelled.Count} instants), {machines.Count} machines, horizon {horizon.TotalHours:0.#} h");
        return new TrainingOutcome(classifier, policy, evaluation, alerts, Metrics(evaluation, alerts, policy, horizon),
            Report(title, range, classifier, evaluation, alerts, policy, horizon, generated));
    }

    /// <summary>The probabilities of the instants in [from, to): per machine for the alert replay, and the labelled ones.</summary>
    public static (IReadOnlyList<ScoredMachine> Machines, List<(bool Actual, float Probability)> Labelled) Score(
        FailureClassifier classifier, IReadOnlyList<MachineInstants> machines, DateTimeOffset from, DateTimeOffset to)
    {
        var scoredMachines = new List<ScoredMachine>();
        var labelled = new List<(bool, float)>();
        foreach (var machine in machines)
        {
            var scorings = new List<(DateTimeOffset, float)>();
            for (var i = 0; i < machine.At.Count; i++)
            {
                if (machine.At[i] >= from && machine.At[i] < to)
                {
                    var p = classifier.Probability(machine.Features[i]);
                    scorings.Add((machine.At[i], p));
                    if (machine.Labels[i] is { } actual)
                    {
                        labelled.Add((actual, p));
                    }
                }
            }

            scoredMachines.Add(new ScoredMachine(machine.Machine, scorings,
                [.. machine.WearFailures.Where(f => f >= from && f < to)], [.. machine.SuddenFailures.Where(f => f >= from && f < to)]));
        }

        return (scoredMachines, labelled);
    }

    public static string Title(MachineClass machineClass) => machineClass switch
    {
        MachineClass.CncRouter => "CNC router",
        MachineClass.PanelSaw => "Panel saw",
        _ => "Edgebander",
    };

    private static JsonObject Metrics(BinaryEvaluation evaluation, AlertEvaluation alerts, AlertPolicy policy, TimeSpan horizon) => new()
    {
        ["horizonHours"] = horizon.TotalHours,
        ["precision"] = evaluation.Precision,
        ["recall"] = evaluation.Recall,
        ["f1"] = evaluation.F1,
        ["prAuc"] = evaluation.PrAuc,
        ["threshold"] = evaluation.Threshold,
        ["confusion"] = new JsonObject
        {
            ["truePositives"] = evaluation.Confusion.TruePositives,
            ["falsePositives"] = evaluation.Confusion.FalsePositives,
            ["trueNegatives"] = evaluation.Confusion.TrueNegatives,
            ["falseNegatives"] = evaluation.Confusion.FalseNegatives,
        },
        ["policy"] = new JsonObject { ["raise"] = policy.Raise, ["clear"] = policy.Clear, ["raiseAfter"] = policy.RaiseAfter, ["clearAfter"] = policy.ClearAfter },
        ["alerts"] = new JsonObject
        {
            ["wearFailures"] = alerts.WearFailures,
            ["alertedInTime"] = alerts.AlertedInTime,
            ["inTimeShare"] = alerts.InTimeShare,
            ["alerts"] = alerts.Alerts,
            ["trueAlerts"] = alerts.TrueAlerts,
            ["alertPrecision"] = alerts.Precision,
            ["medianLeadHours"] = PolicySearch.Median(alerts.LeadHours),
            ["suddenFailures"] = alerts.SuddenFailures,
            ["suddenAlerted"] = alerts.SuddenAlerted,
        },
    };

    private static string Report(string title, string range, FailureClassifier classifier, BinaryEvaluation evaluation, AlertEvaluation alerts,
        AlertPolicy policy, TimeSpan horizon, string generated)
    {
        var f = CultureInfo.InvariantCulture;
        var model = new EvaluationReportModel(title, range, evaluation)
        {
            Generated = generated,
            Metrics =
            [
                new("Wear failures alerted ≥ 2 h ahead", string.Create(f, $"{alerts.AlertedInTime} of {alerts.WearFailures} ({alerts.InTimeShare:P1})"),
                    "a failure alarm (201, 101, 301) with an alert raised at least 2 h before it and still open within the horizon before it; goal ≥ 90 %"),
                new("Alert precision", string.Create(f, $"{alerts.TrueAlerts} of {alerts.Alerts} ({alerts.Precision:P1})"),
                    "alerts followed by a wear failure while open or within the horizon after their raise; goal ≥ 0.8"),
                new("Median lead time", string.Create(f, $"{PolicySearch.Median(alerts.LeadHours):F1} h"), "from the alert's raise to the failure, over alerted wear failures"),
                new("Sudden failures (apart)", string.Create(f, $"{alerts.SuddenFailures}, {alerts.SuddenAlerted} under an open alert"),
                    "jams and breakages have no onset: not in the in-time share"),
                new("Alert policy", string.Create(f, $"raise at p ≥ {policy.Raise:F2} for {policy.RaiseAfter}, clear at p < {policy.Clear:F3} for {policy.ClearAfter} scorings every {ClassHistory.Step.TotalMinutes:0} min"),
                    "chosen on the validation span"),
            ],
            LeadTimeHours = alerts.LeadHours,
            FeatureImportance = [.. classifier.Importance.OrderByDescending(i => i.Importance).Take(15)],
            Notes =
            [
                string.Create(f, $"An instant is positive when a failure alarm starts within {horizon.TotalHours:0.#} h after it; instants while the machine is down (an alarm or the error state in the minute before) are left out."),
                "Features: sliding windows of 1 h, 6 h and 24 h over the minute rollups (telemetry_rollup_minute) of the minutes the machine ran.",
            ],
        };
        using var writer = new StringWriter(f);
        EvaluationReport.Write(writer, model);
        return writer.ToString();
    }
}
