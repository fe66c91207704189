namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>What <see cref="EvaluationReport"/> draws; every string is text (the page escapes it).</summary>
/// <param name="Title">The page's heading, e.g. "CNC router failure model, version 3".</param>
/// <param name="DataRange">Where the figures come from, e.g. "2026-01-01 to 2026-06-30, 24 machines" or a file and its rows.</param>
/// <param name="Evaluation">The binary evaluation: metrics table, PR curve and confusion matrix.</param>
public sealed record EvaluationReportModel(string Title, string DataRange, BinaryEvaluation Evaluation)
{
    /// <summary>Rows added to the metrics table after precision, recall, F1, PR-AUC and the threshold.</summary>
    public IReadOnlyList<ReportMetric> Metrics { get; init; } = [];

    /// <summary>How long before each caught failure the model first warned, in hours; no histogram when null or empty.</summary>
    public IReadOnlyList<double>? LeadTimeHours { get; init; }

    /// <summary>Each feature's share of the model's decisions (e.g. <see cref="FailureClassifier.Importance"/>).</summary>
    public IReadOnlyList<(FeatureDefinition Feature, double Importance)> FeatureImportance { get; init; } = [];

    public IReadOnlyList<ReportTable> Tables { get; init; } = [];

    /// <summary>Paragraphs at the end: definitions, labelling, caveats.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>When the report was made, as the caller formats it (from its TimeProvider); omitted when null.</summary>
    public string? Generated { get; init; }
}

/// <summary>One row of the metrics table; <paramref name="Definition"/> says how it is computed.</summary>
public sealed record ReportMetric(string Name, string Value, string? Definition = null);

/// <summary>A plain table under the charts.</summary>
public sealed record ReportTable(string Caption, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);
