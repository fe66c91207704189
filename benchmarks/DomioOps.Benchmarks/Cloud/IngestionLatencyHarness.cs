using System.Diagnostics;
using System.Globalization;

using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The product's response-time promise, measured end to end on this machine: a real cloud host (one silo,
/// embedded broker, a private PostgreSQL) as its own process, an edge publishing at a fixed rate over MQTT 5
/// QoS 1, and a SignalR client as the browser. Two latencies per batch:
/// publish → PUBACK (the embedded broker acknowledges after the batch is committed to the EdgeGrain, history
/// and the MachineGrains) and publish → the MachineChanged message at the SignalR client.
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- ingestion-latency [samples/s] [seconds]</c>
/// </summary>
internal static class IngestionLatencyHarness
{
    private const string Site = "plant-bench";
    private const int Edges = 4;
    private const int MachinesPerEdge = 5;
    private const int BatchesPerSecondPerEdge = 25;

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var samplesPerBatch = Math.Max(1, rate / (Edges * BatchesPerSecondPerEdge));
        var ct = CancellationToken.None;

        Console.WriteLine($"ingestion-latency: {rate} samples/s from {Edges} edges, each {BatchesPerSecondPerEdge} batches/s of {samplesPerBatch} over {MachinesPerEdge} machines, {seconds} s (+5 s warm-up)");
        await using var cloud = await IngestionCloud.StartAsync(Site, [.. Enumerable.Range(0, Edges).Select(e => $"edge-{e}")], mosquitto: false, ct);
        Console.WriteLine($"cloud started: {cloud.Process}");

        // The browser: signed in, connected to the hub, timing each change it is told about.
        var pushLatencies = new List<double>();
        var measuring = 0;
        await using var browser = await MachineBrowser.ConnectAsync(cloud, (machine, arrived) =>
        {
            if (Volatile.Read(ref measuring) == 1 && machine.UpdatedAt is { } updated)
            {
                lock (pushLatencies)
                {
                    pushLatencies.Add((arrived - updated).TotalMilliseconds);
                }
            }
        }, ct);

        var warmUp = TimeSpan.FromSeconds(5);
        var end = warmUp + TimeSpan.FromSeconds(seconds);
        var clock = Stopwatch.StartNew();
        var edges = await Task.WhenAll(Enumerable.Range(0, Edges).Select(e => PublishAsync(e, cloud.BrokerPort, cloud.EdgePassword, samplesPerBatch, clock, warmUp, end, ct)));
        Volatile.Write(ref measuring, 1);
        await Task.Delay(1000, ct);
        Volatile.Write(ref measuring, 0);

        var commitLatencies = edges.SelectMany(e => e.Latencies).ToList();
        var samples = edges.Sum(e => e.MeasuredSamples);
        Console.WriteLine($"achieved: {samples / (end - warmUp).TotalSeconds:F0} samples/s ({commitLatencies.Count} batches)");
        LatencyReport.Print("publish → PUBACK (committed to EdgeGrain, history, MachineGrain)", commitLatencies);
        lock (pushLatencies)
        {
            LatencyReport.Print("publish → SignalR MachineChanged at the client", pushLatencies);
        }

        return 0;

        // The SignalR measurement starts with the first measured batch of any edge.
        async Task<(List<double> Latencies, long MeasuredSamples)> PublishAsync(int index, int port, string password, int perBatch, Stopwatch clock, TimeSpan warmUp, TimeSpan end, CancellationToken ct)
        {
            var edgeId = $"edge-{index}";
            using var edge = new MqttClientFactory().CreateMqttClient();
            var connected = await edge.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId($"{Site}/{edgeId}")
                .WithCredentials($"{Site}/{edgeId}", password)
                .Build(), ct);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"broker refused {edgeId}: {connected.ResultCode}");
            }

            var latencies = new List<double>();
            long measuredSamples = 0;
            ulong sequence = 0;
            var period = TimeSpan.FromSeconds(1.0 / BatchesPerSecondPerEdge);
            for (long batches = 0; clock.Elapsed < end; batches++)
            {
                var due = period * batches;
                if (clock.Elapsed < due)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }

                var measured = clock.Elapsed >= warmUp;
                if (measured)
                {
                    Interlocked.Exchange(ref measuring, 1);
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = edgeId };
                for (var i = 0; i < perBatch; i++)
                {
                    sequence++;
                    batch.Samples.Add(new Sample { Sequence = sequence, Machine = $"bench-{index}-{(int)(sequence % MachinesPerEdge)}", Signal = Signal.SpindleLoad, TimestampMs = now, Number = sequence % 100 });
                }

                var started = Stopwatch.GetTimestamp();
                var result = await edge.PublishAsync(
                    new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(Site, edgeId)).WithPayload(batch.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                    ct);
                if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                {
                    throw new InvalidOperationException($"{edgeId} batch {batches} refused: {result.ReasonCode}");
                }

                if (measured)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    measuredSamples += perBatch;
                }
            }

            return (latencies, measuredSamples);
        }
    }
}
