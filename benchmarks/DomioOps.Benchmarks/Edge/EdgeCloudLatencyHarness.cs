using System.Diagnostics;
using System.Globalization;

using DomioOps.Benchmarks.Cloud;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Edge;

/// <summary>
/// Issue #18's path with the acknowledgement after commit, through the real cloud: simulated Modbus TCP devices
/// (10 × 100 tags every 100 ms = 10,000 samples/s, every read a change) → a real edge process (default publishing,
/// <c>Acknowledgement Cloud</c>) → the real cloud host as a process (one silo, its embedded broker with the edge
/// registered, a private PostgreSQL) → a browser-like SignalR client on <c>/hubs/machines</c>. After a warm-up, over
/// the window: device change → deletion from the edge's queue (the edge's <c>domio.edge.samples.acknowledgement_latency</c>
/// histogram, scraped before and after, percentiles interpolated within their bucket), device change → the browser's
/// <c>MachineChanged</c> (the snapshot's <c>UpdatedAt</c> is the newest sample timestamp it reflects; exact, from the
/// receipts), samples/s acknowledged to the edge, and the cloud's history commits.
/// With <c>Mosquitto</c>, the edge publishes to a real Mosquitto and the silo consumes through the shared subscription.
/// Usage: <c>edge-cloud-latency [seconds=30] [Embedded|Mosquitto] [Section__Key=value ...]</c>: settings starting <c>Edge__</c> go to the edge,
/// the others to the cloud (e.g. <c>Edge__Publishing__MaxBatchAge=00:00:00.050</c>, <c>Ingestion__AcknowledgementInterval=00:00:00.010</c>).
/// </summary>
internal static class EdgeCloudLatencyHarness
{
    private const string Site = "plant-bench";
    private const string EdgeId = "edge-bench";
    private const int Devices = 10;
    private const int Tags = 100;
    private const string AcknowledgementLatency = "domio_edge_samples_acknowledgement_latency_milliseconds";
    private const string Published = "domio_edge_samples_published_total";
    private const string HistoryWritten = "domio_history_samples_written_total";
    private const string HistoryCommits = "domio_history_commit_duration_seconds";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private const string Backlog = "domio_edge_queue_backlog";
    private const double CaughtUp = 2_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToList();
        var seconds = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 30;
        var broker = positional.Count > 1 ? positional[1] : "Embedded";
        if (broker is not ("Embedded" or "Mosquitto"))
        {
            Console.Error.WriteLine($"edge-cloud-latency: the broker must be Embedded or Mosquitto, not '{broker}'");
            return 2;
        }

        var settings = args.Where(a => a.Contains('=', StringComparison.Ordinal)).Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a[1], StringComparer.Ordinal);
        var edgeSettings = settings.Where(s => s.Key.StartsWith("Edge__", StringComparison.Ordinal)).ToList();
        var cloudSettings = settings.Where(s => !s.Key.StartsWith("Edge__", StringComparison.Ordinal)).ToList();
        var ct = CancellationToken.None;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edge-cloud-latency: {System.Environment.ProcessorCount} cores, .NET {System.Environment.Version}, {Devices} devices x {Tags} tags every {Poll.TotalMilliseconds} ms = {Devices * Tags / Poll.TotalSeconds:F0} samples/s, {seconds} s after a warm-up of at least {WarmUp.TotalSeconds} s, until the edge's backlog is under {CaughtUp} samples (at most {MaxWarmUp.TotalSeconds} s); {(broker == "Embedded" ? "the cloud's embedded broker" : "Mosquitto, the silo on the shared subscription")}, 1 silo; settings: {(settings.Count == 0 ? "defaults" : string.Join(' ', settings.Select(s => $"{s.Key}={s.Value}")))}; load average before: {ProcessFigures.LoadAverage()}"));
        await using var cloud = await IngestionCloud.StartAsync(Site, [EdgeId], broker == "Mosquitto", ct, cloudSettings);

        var browserLatencies = new List<double>();
        var measuring = 0;
        await using var browser = await MachineBrowser.ConnectAsync(cloud, (machine, arrived) =>
        {
            if (Volatile.Read(ref measuring) == 1 && machine.UpdatedAt is { } updated)
            {
                lock (browserLatencies)
                {
                    browserLatencies.Add((arrived - updated).TotalMilliseconds);
                }
            }
        }, ct);

        var data = Directory.CreateTempSubdirectory("domioops-edge-cloud-bench-");
        try
        {
            await using var devices = await SimulatedDevices.StartAsync(Devices, ct);
            var environment = devices.EdgeEnvironment(Site, EdgeId, data.FullName, cloud.BrokerPort, Tags, Poll, "Cloud");
            environment["Edge__Publishing__Password"] = cloud.EdgePassword;
            foreach (var (key, value) in edgeSettings)
            {
                environment[key] = value;
            }

            await using var edge = await HostProcess.StartAsync("edge/DomioOps.Edge", environment, ct, startLimit: TimeSpan.FromMinutes(5));
            using var edgeMetrics = new HttpClient { BaseAddress = edge.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            using var cloudMetrics = new HttpClient { BaseAddress = cloud.Process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            // Warm-up: connections, JIT, grain activations; then until the edge has caught up with what piled up meanwhile.
            var warming = Stopwatch.StartNew();
            await Task.Delay(WarmUp, ct);
            double backlog;
            while ((backlog = (await PrometheusScrape.ReadAsync(edgeMetrics, ct)).Value(Backlog)) >= CaughtUp && warming.Elapsed < MaxWarmUp)
            {
                await Task.Delay(500, ct);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warming.Elapsed.TotalSeconds:F0} s, the edge's backlog {backlog:F0} samples{(backlog >= CaughtUp ? " (not caught up: the figures include the backlog's drain)" : "")}"));

            var edgeBefore = await PrometheusScrape.ReadAsync(edgeMetrics, ct);
            var cloudBefore = await PrometheusScrape.ReadAsync(cloudMetrics, ct);
            var edgeCpu = ProcessFigures.CpuTime(edge.ProcessId);
            var cloudCpu = ProcessFigures.CpuTime(cloud.Process.ProcessId);
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref measuring, 1);
            await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
            Volatile.Write(ref measuring, 0);
            var elapsed = clock.Elapsed.TotalSeconds;
            var edgeAfter = await PrometheusScrape.ReadAsync(edgeMetrics, ct);
            var cloudAfter = await PrometheusScrape.ReadAsync(cloudMetrics, ct);
            edgeCpu = ProcessFigures.CpuTime(edge.ProcessId) - edgeCpu;
            cloudCpu = ProcessFigures.CpuTime(cloud.Process.ProcessId) - cloudCpu;
            if (edge.HasExited || cloud.Process.HasExited)
            {
                Console.Error.WriteLine($"edge-cloud-latency: a process exited during the run\n{edge.Output}\n{cloud.Process.Output}");
                return 1;
            }

            var deleted = edgeAfter.Buckets(AcknowledgementLatency).Since(edgeBefore.Buckets(AcknowledgementLatency));
            var acknowledged = edgeAfter.Value(Published) - edgeBefore.Value(Published);
            var written = cloudAfter.Value(HistoryWritten) - cloudBefore.Value(HistoryWritten);
            var commits = cloudAfter.Value(HistoryCommits + "_count") - cloudBefore.Value(HistoryCommits + "_count");
            var commitSeconds = cloudAfter.Value(HistoryCommits + "_sum") - cloudBefore.Value(HistoryCommits + "_sum");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"acknowledged to the edge (deleted from its queue): {acknowledged / elapsed:F0} samples/s; written to history: {written / elapsed:F0} samples/s in {commits / elapsed:F1} commits/s of {(commits > 0 ? written / commits : 0):F0} samples, {(commits > 0 ? commitSeconds / commits * 1000 : 0):F1} ms each on average"));
            foreach (var p in (double[])[0.50, 0.99])
            {
                var (value, lower, upper) = deleted.Percentile(p);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"device change → edge queue deletion p{p * 100:F0}: {(double.IsNaN(value) ? $"above {lower} ms (the last bucket)" : $"{value:F1} ms (in the bucket {lower}–{upper} ms")}; n={deleted.Count:F0}{(double.IsNaN(value) ? "" : ")")}"));
            }

            lock (browserLatencies)
            {
                LatencyReport.Print("device change → browser (SignalR MachineChanged, newest sample it reflects)", browserLatencies);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CPU: edge {edgeCpu.TotalSeconds / elapsed * 100:F0}% of one core, cloud {cloudCpu.TotalSeconds / elapsed * 100:F0}%; load average after: {ProcessFigures.LoadAverage()}"));
            return 0;
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
