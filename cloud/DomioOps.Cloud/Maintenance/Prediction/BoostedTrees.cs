using System.Text.Json.Serialization;

using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;

namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// FastTree's trees copied out of ML.NET into plain arrays, with its Platt calibrator: scoring walks them directly
/// (immutable, so any number of threads may score at once, and nothing is allocated per score), and each internal node
/// carries its expected output for the contributions.
/// A tree walks as ML.NET's InternalRegressionTree.GetLeaf does: at node n go to <see cref="Tree.Left"/> when
/// x[SplitFeatures[n]] ≤ Thresholds[n], else to <see cref="Tree.Right"/>; a child ≥ 0 is a node, ~child a leaf; a tree
/// of one leaf has no nodes and, as in ML.NET's GetOutput, adds nothing. Score = Bias + Σ Weight·leaf value;
/// probability = 1 / (1 + exp(PlattSlope·score + PlattOffset)) (ML.NET's PlattCalibrator).
/// </summary>
internal sealed record BoostedTrees(double Bias, double PlattSlope, double PlattOffset, IReadOnlyList<BoostedTrees.Tree> Trees)
{
    /// <param name="NodeValues">The expected output at each node: its leaves' values weighted by the training examples
    /// that reached them (the "previous leaf value" of the Saabas contribution method).</param>
    internal sealed record Tree(double Weight, int[] SplitFeatures, float[] Thresholds, int[] Left, int[] Right,
        double[] LeafValues, double[] NodeValues, double[] SplitGains)
    {
        public int Leaf(ReadOnlySpan<float> features)
        {
            if (SplitFeatures.Length == 0)
            {
                return 0;
            }

            var node = 0;
            while (node >= 0)
            {
                node = features[SplitFeatures[node]] <= Thresholds[node] ? Left[node] : Right[node];
            }

            return ~node;
        }

        [JsonIgnore]
        public double Root => SplitFeatures.Length == 0 ? 0 : NodeValues[0];

        public double ValueOf(int child) => child >= 0 ? NodeValues[child] : LeafValues[~child];
    }

    /// <summary>The trees of a trained FastTree model; <paramref name="training"/> supplies the counts behind the node values.</summary>
    public static BoostedTrees From(TreeEnsemble<RegressionTree> ensemble, PlattCalibrator calibrator, IReadOnlyList<TrainingExample> training)
    {
        var trees = new List<Tree>(ensemble.Trees.Count);
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var source = ensemble.Trees[t];
            if (source.CategoricalSplitFlags.Any(flag => flag))
            {
                throw new InvalidOperationException("FastTree made a categorical split; FailureClassifier trains with CategoricalSplit off.");
            }

            var nodes = source.NumberOfNodes;
            var tree = new Tree(ensemble.TreeWeights[t], [.. source.NumericalSplitFeatureIndexes.Take(nodes)], [.. source.NumericalSplitThresholds.Take(nodes)],
                [.. source.LeftChild.Take(nodes)], [.. source.RightChild.Take(nodes)], [.. source.LeafValues.Take(source.NumberOfLeaves)], new double[nodes], [.. source.SplitGains.Take(nodes)]);
            var counts = new long[tree.LeafValues.Length];
            foreach (var example in training)
            {
                counts[tree.Leaf(example.Features)]++;
            }

            if (nodes > 0)
            {
                FillNodeValues(tree, counts, 0);
            }

            trees.Add(tree);
        }

        return new BoostedTrees(ensemble.Bias, calibrator.Slope, calibrator.Offset, trees);
    }

    public double Score(ReadOnlySpan<float> features)
    {
        var score = Bias;
        // Indexing, not foreach: an interface's enumerator would be one allocation per score.
        for (var t = 0; t < Trees.Count; t++)
        {
            var tree = Trees[t];
            if (tree.SplitFeatures.Length > 0)
            {
                score += tree.Weight * tree.LeafValues[tree.Leaf(features)];
            }
        }

        return score;
    }

    public float Probability(double score) => (float)(1 / (1 + Math.Exp((PlattSlope * score) + PlattOffset)));

    /// <summary>The score every vector starts from before its features move it: Bias + Σ Weight·(the tree's root value).</summary>
    [JsonIgnore]
    public double ExpectedScore => Bias + Trees.Sum(tree => tree.Weight * tree.Root);

    /// <summary>
    /// Adds to <paramref name="contributions"/>[f] what feature f added to the score along each tree's path (Saabas):
    /// at each split on f, (value of the child taken − value of the node). Σ contributions = score − <see cref="ExpectedScore"/>.
    /// </summary>
    public void Contributions(ReadOnlySpan<float> features, Span<double> contributions)
    {
        for (var t = 0; t < Trees.Count; t++)
        {
            var tree = Trees[t];
            if (tree.SplitFeatures.Length == 0)
            {
                continue;
            }

            var node = 0;
            while (node >= 0)
            {
                var feature = tree.SplitFeatures[node];
                var next = features[feature] <= tree.Thresholds[node] ? tree.Left[node] : tree.Right[node];
                contributions[feature] += tree.Weight * (tree.ValueOf(next) - tree.NodeValues[node]);
                node = next;
            }
        }
    }

    /// <summary>Σ split gain per feature over every tree, scaled to sum to 1 (all 0 when no tree splits).</summary>
    public double[] GainImportance(int featureCount)
    {
        var gains = new double[featureCount];
        foreach (var tree in Trees)
        {
            for (var n = 0; n < tree.SplitFeatures.Length; n++)
            {
                gains[tree.SplitFeatures[n]] += Math.Max(0, tree.SplitGains[n]);
            }
        }

        var total = gains.Sum();
        return total > 0 ? [.. gains.Select(g => g / total)] : gains;
    }

    /// <summary>Fills the node values below <paramref name="node"/>; returns (value, training examples) of the subtree.</summary>
    private static (double Value, long Count) FillNodeValues(Tree tree, long[] counts, int node)
    {
        var left = Subtree(tree, counts, tree.Left[node]);
        var right = Subtree(tree, counts, tree.Right[node]);
        var count = left.Count + right.Count;
        // A subtree no training example reaches cannot happen with the training data FastTree split, but a plain mean keeps it defined.
        tree.NodeValues[node] = count == 0 ? (left.Value + right.Value) / 2 : ((left.Value * left.Count) + (right.Value * right.Count)) / count;
        return (tree.NodeValues[node], count);
    }

    private static (double Value, long Count) Subtree(Tree tree, long[] counts, int child) =>
        child >= 0 ? FillNodeValues(tree, counts, child) : (tree.LeafValues[~child], counts[~child]);
}
