using System.Diagnostics;
using System.Globalization;

using DomioOps.Cloud.Maintenance.Ai4i;
using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Benchmarks.Maintenance;

/// <summary>
/// The failure model's costs on AI4I-like rows (<see cref="SyntheticAi4i"/>), in process:
/// <list type="number">
/// <item>training a <see cref="FailureClassifier"/> (the default 100 trees × 20 leaves) on <c>rows</c> rows (default
/// 1,000,000), its time scaled to a million rows, and the process's peak resident memory after it;</item>
/// <item>scoring: single-row <see cref="FailureClassifier.Probability"/> per second on one thread and on every core,
/// and the bytes one call allocates; <see cref="FailureClassifier.Explain"/> (top 3) per second on one thread.</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- maintenance-scoring [rows]</c>
/// </summary>
internal static class MaintenanceScoringHarness
{
    public static Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        Print($"maintenance-scoring: {rows:N0} synthetic AI4I-like rows, {Environment.ProcessorCount} cores, load average {ProcessFigures.LoadAverage()}");
        var generated = Stopwatch.GetTimestamp();
        var records = SyntheticAi4i.Rows(rows, seed: 16);
        var examples = records.Select(r => new TrainingExample(Ai4iFeatures.Of(r), r.MachineFailure)).ToList();
        records.Clear();
        var rss = ProcessFigures.ResidentBytes(Environment.ProcessId);
        Print($"rows generated in {Stopwatch.GetElapsedTime(generated).TotalSeconds:F1} s: {examples.Count(e => e.Fails):N0} failing ({examples.Count(e => e.Fails) * 100.0 / rows:F1} %); resident {rss / 1048576.0:F0} MiB");

        var options = new FailureClassifierOptions();
        var allocated = GC.GetTotalAllocatedBytes(true);
        var started = Stopwatch.GetTimestamp();
        var model = FailureClassifier.Train(Ai4iFeatures.Schema, examples, options, new Progress(started));
        var training = Stopwatch.GetElapsedTime(started);
        Print($"training: {options.Trees} trees × {options.Leaves} leaves on {rows:N0} rows in {training.TotalSeconds:F1} s = {training.TotalSeconds * 1_000_000 / rows:F1} s per million rows; {(GC.GetTotalAllocatedBytes(true) - allocated) / 1048576.0:F0} MiB allocated; peak resident {ProcessFigures.PeakResidentBytes(Environment.ProcessId) / 1048576.0:F0} MiB (the rows themselves: {rss / 1048576.0:F0} MiB)");

        var vectors = examples.Take(100_000).Select(e => e.Features).ToArray();
        var probe = model.Probability(vectors[0]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < vectors.Length; i++)
        {
            probe += model.Probability(vectors[i]);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)vectors.Length;
        var single = Rate(() =>
        {
            var sum = 0f;
            foreach (var vector in vectors)
            {
                sum += model.Probability(vector);
            }

            return sum;
        }, vectors.Length);
        var parallel = Rate(() =>
        {
            Parallel.For(0, vectors.Length, i => model.Probability(vectors[i]));
            return 0f;
        }, vectors.Length);
        var explain = Rate(() =>
        {
            var sum = 0f;
            for (var i = 0; i < 10_000; i++)
            {
                sum += model.Explain(vectors[i], 3)[0].Contribution;
            }

            return sum;
        }, 10_000);
        Print($"scoring ({model.TreeCount} trees): Probability {single:N0}/s on one thread, {parallel:N0}/s on {Environment.ProcessorCount} cores, {perCall:F1} B allocated per call; Explain (top 3) {explain:N0}/s on one thread (checksum {probe:F0})");
        Print($"peak resident memory of the run: {ProcessFigures.PeakResidentBytes(Environment.ProcessId) / 1048576.0:F0} MiB");
        return Task.FromResult(0);
    }

    /// <summary>Calls per second: the median of 5 timed runs after one warm-up.</summary>
    private static double Rate(Func<float> run, int calls)
    {
        GC.KeepAlive(run());
        var rates = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(run());
            rates.Add(calls / Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        return rates.Order().ElementAt(2);
    }

    private static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    private sealed class Progress(long started) : IProgress<string>
    {
        public void Report(string value) => Print($"  {Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1} s  {value}");
    }
}
