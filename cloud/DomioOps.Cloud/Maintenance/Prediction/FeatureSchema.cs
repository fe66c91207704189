namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>The inputs of a model, in the order of its feature vector.</summary>
public sealed record FeatureSchema(IReadOnlyList<FeatureDefinition> Features)
{
    /// <summary>The position of the feature with <paramref name="key"/>, or -1.</summary>
    public int IndexOf(string key)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (Features[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }
}
