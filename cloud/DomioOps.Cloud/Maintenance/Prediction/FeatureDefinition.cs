namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>One input of a model: a stable key and the words an engineer reads ("spindle vibration, mean over 6 h").</summary>
public sealed record FeatureDefinition(string Key, string Text, string Unit);
