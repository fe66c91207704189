using System.Globalization;

namespace DomioOps.Benchmarks;

/// <summary>How the load harnesses print a set of latencies: count, p50, p90, p99 and the worst, in milliseconds.</summary>
internal static class LatencyReport
{
    public static void Print(string what, List<double> latencies)
    {
        if (latencies.Count == 0)
        {
            Console.WriteLine($"{what}: no measurement");
            return;
        }

        latencies.Sort();
        double At(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: n={latencies.Count} p50={At(0.50):F1} ms p90={At(0.90):F1} ms p99={At(0.99):F1} ms max={latencies[^1]:F1} ms"));
    }
}
