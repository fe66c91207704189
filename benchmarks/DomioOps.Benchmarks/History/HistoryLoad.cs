using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using MQTTnet;
using MQTTnet.Protocol;

using Npgsql;

namespace DomioOps.Benchmarks.History;

/// <summary>
/// Load harness: sustained samples/s from MQTT publish to committed history with one silo. A private PostgreSQL
/// (scripts/postgres.sh, fsync on unless <c>--fsync off</c>), the cloud's ingestion as the host wires it (embedded
/// broker with edge authentication, EdgeGrain, MachineGrain, history), and N edges each publishing pre-built
/// batches at QoS 1 and waiting for each PUBACK, as the edge agent does. Counts samples acknowledged after a
/// warm-up, checks rows in history = samples acknowledged, and splits CPU between this process and PostgreSQL.
/// Run: <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- history-load [--seconds 20] [--edges 8] [--batch 1000] [--machines 4] [--fsync on|off]</c>;
/// <c>--writer-only</c> drives the history writer alone, <c>--writer-only --staging</c> the staging-table + ON CONFLICT alternative.
/// </summary>
internal static class HistoryLoad
{
    private const string Site = "bench";

    public static async Task RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 20);
        var warmup = Option(args, "--warmup", 5);
        var edges = Option(args, "--edges", 8);
        var batch = Option(args, "--batch", 1000);
        var machines = Option(args, "--machines", 4);
        var fsync = !args.SkipWhile(a => a != "--fsync").Skip(1).Take(1).Contains("off");

        var root = RepositoryRoot.Find();
        var pgDir = Directory.CreateTempSubdirectory("domioops-bench-pg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pgDir, (UnixFileMode)0b111_101_101);
        }

        var pgPort = int.Parse((await RunAsync("bash", [Path.Combine(root, "scripts", "postgres.sh"), "start", pgDir], fsync ? null : "off")).Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        try
        {
            await MeasureAsync(pgPort, seconds, warmup, edges, batch, machines, fsync, args.Contains("--writer-only"), args.Contains("--staging"));
        }
        finally
        {
            await RunAsync("bash", [Path.Combine(root, "scripts", "postgres.sh"), "stop", pgDir], null);
            Directory.Delete(pgDir, recursive: true);
        }
    }

    private static async Task MeasureAsync(int pgPort, int seconds, int warmup, int edges, int batch, int machines, bool fsync, bool writerOnly, bool staging)
    {
        var connectionString = $"Host=127.0.0.1;Port={pgPort};Database=domio_bench;Username=postgres;Maximum Pool Size=60";
        var brokerPort = FreePort.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:ConnectionString"] = connectionString,
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Port"] = $"{brokerPort}",
        });
        builder.AddCluster();
        builder.AddIngestion();
        builder.AddMachines();
        builder.AddHistory();
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        if (writerOnly)
        {
            var history = host.Services.GetRequiredService<TelemetryHistory>();
            Func<string, List<EdgeSample>, Task<int>> append = (edge, samples) => history.AppendAsync(edge, samples, CancellationToken.None);
            var scheme = "per-edge mark (the product's TelemetryHistory, with rollups)";
            if (staging)
            {
                var staged = NpgsqlDataSource.Create(connectionString);
                await CreateStagingTargetAsync(staged);
                append = (edge, samples) => AppendStagedAsync(staged, edge, samples);
                scheme = "COPY into a temp table + INSERT … ON CONFLICT (edge, sequence, ts) DO NOTHING (no rollups)";
            }

            await MeasureWriterAsync(append, scheme, seconds, warmup, edges, batch, machines, fsync);
            await host.StopAsync();
            return;
        }

        // Commit time inside the history writer, from its own meter.
        double commitSeconds = 0;
        long commits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HistoryMetrics.MeterName && instrument.Name == "domio.history.commit.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            Interlocked.Increment(ref commits);
            lock (listener)
            {
                commitSeconds += value;
            }
        });
        listener.Start();

        // Enough pre-built batches that no edge runs dry at 250,000 samples/s.
        var batchesPerEdge = (int)Math.Ceiling(250_000.0 * (seconds + warmup) / batch / edges);
        Console.Error.WriteLine($"history-load: building {edges} x {batchesPerEdge} batches of {batch} samples");
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var payloads = Enumerable.Range(0, edges).Select(e => Payloads($"edge-{e}", e, batchesPerEdge, batch, machines, start)).ToArray();
        var clients = new IMqttClient[edges];
        for (var e = 0; e < edges; e++)
        {
            var password = EdgeCredentials.NewPassword();
            await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Register(Site, $"edge-{e}", EdgeCredentials.Hash(password));
            clients[e] = new MqttClientFactory().CreateMqttClient();
            await clients[e].ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", brokerPort)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId($"{Site}/edge-{e}")
                .WithCredentials($"{Site}/edge-{e}", password)
                .WithTimeout(TimeSpan.FromSeconds(60))
                .Build());
        }

        Console.Error.WriteLine($"history-load: {edges} edges publishing for {warmup} s warm-up + {seconds} s");
        long acked = 0;
        long failed = 0;
        var latencies = new List<double>[edges];
        var stopwatch = Stopwatch.StartNew();
        var measureFrom = TimeSpan.FromSeconds(warmup);
        var measureTo = TimeSpan.FromSeconds(warmup + seconds);
        long ackedAtStart = 0;
        long commitsAtStart = 0;
        double commitSecondsAtStart = 0;
        var cpuAtStart = (Process: 0d, Postgres: 0d);
        var cpuAtEnd = cpuAtStart;
        long ackedAtEnd = 0;
        long commitsAtEnd = 0;
        double commitSecondsAtEnd = 0;
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(measureFrom);
            (ackedAtStart, commitsAtStart) = (Interlocked.Read(ref acked), Interlocked.Read(ref commits));
            lock (listener)
            {
                commitSecondsAtStart = commitSeconds;
            }

            cpuAtStart = Cpu(pgPort);
            await Task.Delay(measureTo - measureFrom);
            (ackedAtEnd, commitsAtEnd) = (Interlocked.Read(ref acked), Interlocked.Read(ref commits));
            lock (listener)
            {
                commitSecondsAtEnd = commitSeconds;
            }

            cpuAtEnd = Cpu(pgPort);
        });
        await Task.WhenAll(Enumerable.Range(0, edges).Select(e => Task.Run(async () =>
        {
            latencies[e] = [];
            foreach (var (payload, count) in payloads[e])
            {
                if (stopwatch.Elapsed >= measureTo)
                {
                    break;
                }

                var sent = Stopwatch.GetTimestamp();
                var result = await clients[e].PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(EdgeTopics.Telemetry(Site, $"edge-{e}"))
                    .WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build());
                if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    Interlocked.Add(ref acked, count);
                    var elapsed = stopwatch.Elapsed;
                    if (elapsed >= measureFrom && elapsed < measureTo)
                    {
                        latencies[e].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    }
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        await sampler;

        var rate = (ackedAtEnd - ackedAtStart) / (double)seconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var count = data.CreateCommand("SELECT count(*), count(DISTINCT (edge, sequence)) FROM telemetry_sample");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (rows, distinct) = (reader.GetInt64(0), reader.GetInt64(1));
        var batchCommits = commitsAtEnd - commitsAtStart;
        var cpuProcess = cpuAtEnd.Process - cpuAtStart.Process;
        var cpuPostgres = cpuAtEnd.Postgres - cpuAtStart.Postgres;

        Console.WriteLine("history-load: one silo, embedded broker, PostgreSQL 15 on loopback");
        Console.WriteLine($"  command            dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- history-load --seconds {seconds} --edges {edges} --batch {batch} --machines {machines} --fsync {(fsync ? "on" : "off")}");
        Console.WriteLine($"  edges x batch      {edges} x {batch} samples ({machines} machines per edge), QoS 1, one publish in flight per edge");
        Console.WriteLine($"  samples/s          {rate:N0} (over {seconds} s after {warmup} s warm-up)");
        Console.WriteLine($"  PUBACK latency     p50 {Percentile(all, 0.50):N1} ms, p99 {Percentile(all, 0.99):N1} ms per batch");
        Console.WriteLine($"  history commit     {(batchCommits == 0 ? 0 : (commitSecondsAtEnd - commitSecondsAtStart) * 1000 / batchCommits):N1} ms per batch on average ({batchCommits} batches)");
        Console.WriteLine($"  CPU (% of 1 core)  this process (silo + load generator) {cpuProcess / seconds * 100:N0} %, PostgreSQL {cpuPostgres / seconds * 100:N0} %");
        Console.WriteLine($"  per CPU-second     {(ackedAtEnd - ackedAtStart) / (cpuProcess + cpuPostgres):N0} samples (this process + PostgreSQL; the rate 2 idle cores would allow if nothing else ran)");
        Console.WriteLine($"  machine load       {ProcessFigures.LoadAverage().Split(' ')[0]} (1-min load average at the end; above 2 means other processes competed for the 2 cores)");
        Console.WriteLine($"  rows in history    {rows:N0} = samples acknowledged {Interlocked.Read(ref acked):N0}: {(rows == Interlocked.Read(ref acked) && rows == distinct ? "yes, no duplicates" : "NO")}; refused batches {failed}");

        foreach (var client in clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }

        await host.StopAsync();
    }

    /// <summary>The history writer alone (no MQTT, no grains): the ceiling of the PostgreSQL part.</summary>
    private static async Task MeasureWriterAsync(Func<string, List<EdgeSample>, Task<int>> append, string scheme, int seconds, int warmup, int edges, int batch, int machines, bool fsync)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var batchesPerEdge = (int)Math.Ceiling(400_000.0 * (seconds + warmup) / batch / edges);
        var batches = Enumerable.Range(0, edges).Select(e => Payloads($"edge-{e}", e, batchesPerEdge, batch, machines, start)
            .Select(p => TelemetryBatch.Parser.ParseFrom(p.Payload).Samples
                .Select(s => new EdgeSample(s.Machine, new MachineSample(s.Sequence, s.Signal, DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs), s.Number, null)))
                .ToList())
            .ToList()).ToArray();
        long written = 0;
        var stopwatch = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(warmup + seconds);
        long atStart = 0;
        var sampler = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            atStart = Interlocked.Read(ref written);
        });
        await Task.WhenAll(Enumerable.Range(0, edges).Select(e => Task.Run(async () =>
        {
            foreach (var samples in batches[e])
            {
                if (stopwatch.Elapsed >= end)
                {
                    break;
                }

                Interlocked.Add(ref written, await append($"{Site}/edge-{e}", samples));
            }
        })));
        await sampler;
        Console.WriteLine($"history-load --writer-only: {scheme}, {edges} concurrent edges, batches of {batch}, fsync {(fsync ? "on" : "off")}");
        Console.WriteLine($"  samples/s          {(Interlocked.Read(ref written) - atStart) / (stopwatch.Elapsed.TotalSeconds - warmup):N0}");
    }

    /// <summary>The alternative to the per-edge mark, for comparison: the same partitioned table with a unique key that includes the partition key.</summary>
    private static async Task CreateStagingTargetAsync(NpgsqlDataSource data)
    {
        var today = DateTime.UtcNow.Date;
        await using var command = data.CreateCommand($"""
            CREATE TABLE staged_target (LIKE telemetry_sample) PARTITION BY RANGE (ts);
            ALTER TABLE staged_target ADD PRIMARY KEY (edge, sequence, ts);
            CREATE INDEX ON staged_target (machine, signal, ts);
            CREATE TABLE staged_target_p PARTITION OF staged_target FOR VALUES FROM ('{today.AddDays(-1):yyyy-MM-dd}') TO ('{today.AddDays(2):yyyy-MM-dd}');
            """);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<int> AppendStagedAsync(NpgsqlDataSource data, string edge, List<EdgeSample> samples)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE IF NOT EXISTS staged (LIKE telemetry_sample) ON COMMIT DELETE ROWS", connection, transaction))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var copy = await connection.BeginBinaryImportAsync("COPY staged (ts, machine, signal, number, text, edge, sequence) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (machine, sample) in samples)
            {
                copy.StartRow();
                copy.Write(sample.Timestamp.UtcDateTime, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                copy.Write(machine, NpgsqlTypes.NpgsqlDbType.Text);
                copy.Write((short)sample.Signal, NpgsqlTypes.NpgsqlDbType.Smallint);
                copy.Write(sample.Number!.Value, NpgsqlTypes.NpgsqlDbType.Double);
                copy.WriteNull();
                copy.Write(edge, NpgsqlTypes.NpgsqlDbType.Text);
                copy.Write((long)sample.Sequence, NpgsqlTypes.NpgsqlDbType.Bigint);
            }

            await copy.CompleteAsync();
        }

        int rows;
        await using (var insert = new NpgsqlCommand("INSERT INTO staged_target SELECT * FROM staged ON CONFLICT DO NOTHING", connection, transaction))
        {
            rows = await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return rows;
    }

    private static List<(byte[] Payload, int Count)> Payloads(string edge, int seed, int batches, int size, int machines, DateTimeOffset start)
    {
        var signals = new[] { Signal.SpindleLoad, Signal.SpindleSpeed, Signal.Vibration, Signal.SpindleTemperature, Signal.FeedSpeed, Signal.Power, Signal.PieceCounter, Signal.MachineState };
        var random = new Random(seed);
        var list = new List<(byte[], int)>(batches);
        ulong sequence = 0;
        for (var b = 0; b < batches; b++)
        {
            var message = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = edge };
            for (var i = 0; i < size; i++)
            {
                sequence++;
                var signal = signals[(int)(sequence % (ulong)signals.Length)];
                message.Samples.Add(new Sample
                {
                    Sequence = sequence,
                    Machine = $"{edge}-m{sequence % (ulong)machines}",
                    Signal = signal,
                    TimestampMs = start.ToUnixTimeMilliseconds() + (long)sequence,
                    Number = signal switch
                    {
                        Signal.PieceCounter => (double)(sequence / 100),
                        Signal.MachineState => 3,
                        _ => Math.Round(random.NextDouble() * 100, 2),
                    },
                });
            }

            list.Add((message.ToByteArray(), size));
        }

        return list;
    }

    /// <summary>CPU seconds used so far by this process and by the PostgreSQL server listening on <paramref name="pgPort"/> (all its backends).</summary>
    private static (double Process, double Postgres) Cpu(int pgPort) =>
        (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, ProcessFigures.PostgresCpuTime(pgPort).TotalSeconds);

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static async Task<string> RunAsync(string file, string[] arguments, string? pgFsync)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        if (pgFsync is not null)
        {
            info.Environment["PG_FSYNC"] = pgFsync;
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {errors}");
    }
}
