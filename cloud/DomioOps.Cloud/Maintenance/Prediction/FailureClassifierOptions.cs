namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>FastTree's settings for <see cref="FailureClassifier.Train"/>.</summary>
/// <param name="Trees">Boosting iterations (ML.NET NumberOfTrees).</param>
/// <param name="Leaves">Leaves per tree (NumberOfLeaves).</param>
/// <param name="LearningRate">Shrinkage of each tree (LearningRate).</param>
/// <param name="MinimumExamplesPerLeaf">MinimumExampleCountPerLeaf.</param>
/// <param name="Seed">Seed of the MLContext and of FastTree: the same data and seed give the same model.</param>
/// <param name="Bins">Most bins per feature (MaximumBinCountPerFeature): FastTree splits only between bins, so a sharp
/// physical limit is learned to within one bin's width.</param>
public sealed record FailureClassifierOptions(int Trees = 100, int Leaves = 20, double LearningRate = 0.2, int MinimumExamplesPerLeaf = 10, int Seed = 1, int Bins = 255)
{
    internal void Validate()
    {
        if (Trees < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Trees), Trees, "Trees must be at least 1.");
        }

        if (Leaves < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Leaves), Leaves, "Leaves must be at least 2.");
        }

        if (LearningRate is <= 0 or > 1 || double.IsNaN(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be in (0, 1].");
        }

        if (MinimumExamplesPerLeaf < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumExamplesPerLeaf), MinimumExamplesPerLeaf, "MinimumExamplesPerLeaf must be at least 1.");
        }

        if (Bins < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Bins), Bins, "Bins must be at least 2.");
        }
    }
}
