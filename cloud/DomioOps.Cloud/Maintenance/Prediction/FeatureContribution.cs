namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// What one feature did to a score: its value and its contribution in the model's raw score (log-odds) units; positive
/// pushes towards failure. The contributions of a vector add up to its score minus the model's average score.
/// </summary>
public sealed record FeatureContribution(FeatureDefinition Feature, float Value, float Contribution);
