using System.Diagnostics;
using System.Globalization;

using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Benchmarks.Edge;

/// <summary>
/// One edge process between simulated Modbus TCP devices (our server, in this process; every register read changes,
/// so every poll yields one sample per tag) and a real Mosquitto, with an MQTT subscriber counting samples and
/// measuring latency from the device change (the sample's timestamp, taken at the read) to delivery by the broker.
/// Two runs: throughput with 10,000 tags polled every 100 ms (offering 100,000 samples/s), and latency at
/// 10,000 samples/s (1,000 tags every 100 ms), both with the edge's default publishing options. Prints samples/s and
/// batches/s, the edge's CPU and resident memory, p50/p99.
/// With acknowledgement <c>Cloud</c> the subscriber acts as the cloud (<see cref="CloudAcknowledgements"/>): it
/// acknowledges what it counted on the edge's <c>cmd/ack</c>, and the edge trims its queue only on that.
/// Usage: edge-load [seconds=20] [acknowledgement=Broker|Cloud]
/// </summary>
public static class EdgeLoadHarness
{
    private const string Site = "plant-bench";
    private const string EdgeId = "edge-bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var acknowledgement = args.Length > 1 ? args[1] : "Broker";
        if (acknowledgement is not ("Broker" or "Cloud"))
        {
            Console.Error.WriteLine($"edge-load: acknowledgement must be Broker or Cloud, not '{acknowledgement}'");
            return 2;
        }

        Console.WriteLine($"edge-load: {System.Environment.ProcessorCount} cores, .NET {System.Environment.Version}, {seconds} s per run, Publishing:Acknowledgement {acknowledgement}; load average before: {ProcessFigures.LoadAverage()}");
        await RunOnceAsync("throughput, 10,000 tags (20 devices x 500) every 100 ms", devices: 20, tags: 500, TimeSpan.FromMilliseconds(100), seconds, acknowledgement);
        await RunOnceAsync("latency, 10,000 samples/s (10 devices x 100 tags every 100 ms)", devices: 10, tags: 100, TimeSpan.FromMilliseconds(100), seconds, acknowledgement);
        Console.WriteLine($"load average after: {ProcessFigures.LoadAverage()}");
        return 0;
    }

    private static async Task RunOnceAsync(string name, int devices, int tags, TimeSpan poll, int seconds, string acknowledgement)
    {
        var ct = CancellationToken.None;
        var data = Directory.CreateTempSubdirectory("domioops-edge-bench-");
        await using var broker = await MosquittoBroker.StartAsync(null, null, ct);
        await using var simulated = await SimulatedDevices.StartAsync(devices, ct);
        HostProcess? edge = null;
        var acknowledging = Task.CompletedTask;
        using var stopAcknowledging = new CancellationTokenSource();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        try
        {
            long received = 0;
            long batches = 0;
            var latencies = new List<long>();
            var measuring = false;
            var cloud = acknowledgement == "Cloud" ? new CloudAcknowledgements() : null;
            subscriber.ApplicationMessageReceivedAsync += e =>
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var batch = TelemetryBatch.Parser.ParseFrom(e.ApplicationMessage.Payload);
                Interlocked.Add(ref received, batch.Samples.Count);
                Interlocked.Increment(ref batches);
                cloud?.Received(batch);
                if (Volatile.Read(ref measuring))
                {
                    lock (latencies)
                    {
                        latencies.AddRange(batch.Samples.Select(s => now - s.TimestampMs));
                    }
                }

                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("bench-consumer").Build(), ct);
            await subscriber.SubscribeAsync(EdgeTopics.Telemetry(Site, EdgeId), MqttQualityOfServiceLevel.AtLeastOnce, ct);
            acknowledging = cloud?.RunAsync(subscriber, stopAcknowledging.Token) ?? Task.CompletedTask;

            var starting = Stopwatch.StartNew();
            edge = await HostProcess.StartAsync("edge/DomioOps.Edge", simulated.EdgeEnvironment(Site, EdgeId, data.FullName, broker.Port, tags, poll, acknowledgement), ct, startLimit: TimeSpan.FromMinutes(5));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: edge answered /health/live after {starting.Elapsed.TotalSeconds:F1} s"));
            await Task.Delay(TimeSpan.FromSeconds(5), ct); // warm-up: connections, JIT, queue
            lock (latencies)
            {
                latencies.Clear();
            }

            Volatile.Write(ref measuring, true);
            var cpuBefore = ProcessFigures.CpuTime(edge.ProcessId);
            var countBefore = Interlocked.Read(ref received);
            var batchesBefore = Interlocked.Read(ref batches);
            var clock = Stopwatch.StartNew();
            var peakRss = 0L;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(500, ct);
                peakRss = Math.Max(peakRss, ProcessFigures.ResidentBytes(edge.ProcessId));
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var samples = Interlocked.Read(ref received) - countBefore;
            var rate = samples / elapsed;
            var published = Interlocked.Read(ref batches) - batchesBefore;
            var cpu = (ProcessFigures.CpuTime(edge.ProcessId) - cpuBefore).TotalSeconds / elapsed;
            Volatile.Write(ref measuring, false);
            long[] sorted;
            lock (latencies)
            {
                sorted = [.. latencies.Order()];
            }

            var offered = devices * tags / poll.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: offered {offered:F0} samples/s, delivered {rate:F0} samples/s in {published / elapsed:F0} batches/s of {(published > 0 ? samples / (double)published : 0):F0} samples on average; edge CPU {cpu * 100:F0}% of one core; resident memory peak {peakRss / (1024.0 * 1024):F0} MB; latency change→broker p50 {Percentile(sorted, 0.50)} ms, p99 {Percentile(sorted, 0.99)} ms, max {(sorted.Length > 0 ? sorted[^1] : 0)} ms ({sorted.Length} samples)"));
            if (cloud is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: as the cloud, {cloud.Sent} acknowledgements sent in all, {cloud.Duplicates} samples delivered again (replays)"));
            }
        }
        finally
        {
            await stopAcknowledging.CancelAsync();
            await acknowledging;
            if (edge is not null)
            {
                await edge.DisposeAsync();
            }

            data.Delete(recursive: true);
        }
    }

    private static long Percentile(long[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

}
