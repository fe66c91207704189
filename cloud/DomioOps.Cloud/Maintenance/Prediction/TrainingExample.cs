namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>One labelled feature vector: <see cref="Fails"/> when a failure followed within the horizon.</summary>
public sealed record TrainingExample(float[] Features, bool Fails);
