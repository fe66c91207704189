namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>Counts of a binary classification at one threshold (positive = fails).</summary>
public sealed record ConfusionMatrix(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    public long Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;
}
