namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// One labelled feature vector: <see cref="Fails"/> when a failure followed within the horizon; <see cref="Weight"/>
/// (positive) is how much it counts in training.
/// </summary>
public sealed record TrainingExample(float[] Features, bool Fails, float Weight = 1);
