using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Ingestion;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

using Npgsql;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// Sustained ingestion of a cluster: N silos as separate processes on one PostgreSQL consume from a real
/// Mosquitto through the shared subscription (the production path), while edges publish a fixed amount of
/// telemetry as fast as Mosquitto takes it. The figure is samples committed per second, from the first publish
/// until every edge's last sequence is committed (history rows, grain state), and its cost: CPU seconds used by the
/// silos, PostgreSQL and Mosquitto over that time, per million samples. At the end, history must hold every sample
/// exactly once.
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- cluster-load [silos] [edges] [batches per edge] [batch size]</c>
/// </summary>
internal static class ClusterThroughputHarness
{
    private const string Site = "plant-load";

    public static async Task<int> RunAsync(string[] args)
    {
        var silos = Arg(args, 0, 2);
        var edges = Arg(args, 1, 8);
        var batchesPerEdge = Arg(args, 2, 100);
        var batchSize = Arg(args, 3, 1000);
        var ct = CancellationToken.None;
        Console.WriteLine($"cluster-load: {silos} silo(s), {edges} edges x {batchesPerEdge} batches of {batchSize} = {edges * batchesPerEdge * batchSize} samples");

        await using var postgres = await PostgresServer.StartAsync(ct);
        var edgePassword = EdgeCredentials.NewPassword();
        var cloudPassword = EdgeCredentials.NewPassword();
        var edgeHash = EdgeCredentials.Hash(edgePassword);
        var (passwords, cloudPasswords, acl) = MosquittoConfiguration.Render(
            Enumerable.Range(0, edges).Select(e => new EdgeRegistration(Site, $"edge-{e}", edgeHash, Disabled: false)), "domio-cloud", EdgeCredentials.Hash(cloudPassword));
        await using var broker = await MosquittoBroker.StartAsync(passwords, acl, ct, cloudPasswords: cloudPasswords);
        var adminPassword = $"Load-{Guid.NewGuid():N}-A1";
        var hosts = new List<HostProcess>();
        try
        {
            for (var i = 0; i < silos; i++)
            {
                var environment = new CloudEnvironment(postgres.ConnectionString("domio_load") + ";Maximum Pool Size=60", Path.Combine(postgres.DataDirectory, "audit"), adminPassword, broker.CloudPort!.Value)
                {
                    // The harness measures ingestion, not sign-in: its administrator signs in with the password alone.
                    ["Security__RequireTwoFactorRoles__0"] = "None",
                    ["Serilog__MinimumLevel__Default"] = "Warning",
                }.UseExternalBroker($"silo-{i}", cloudPassword);
                for (var e = 0; e < edges; e++)
                {
                    environment.AddEdge(Site, $"edge-{e}", edgeHash);
                }

                hosts.Add(await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct));
            }

            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(10) };
            (await http.PostAsJsonAsync(new Uri(hosts[0].BaseAddress, "api/account/sign-in"), new { userName = "admin", password = adminPassword }, ct)).EnsureSuccessStatusCode();
            // Steady state: a silo that joined takes its edges over, and both get their batches meanwhile; the soak measures that.
            await EdgeOwnership.SettledAsync(hosts, edges, TimeSpan.FromSeconds(120), ct);

            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var payloads = Enumerable.Range(0, edges).Select(e => Enumerable.Range(0, batchesPerEdge).Select(b =>
            {
                var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = $"edge-{e}" };
                for (var s = 1; s <= batchSize; s++)
                {
                    var sequence = (ulong)(b * batchSize + s);
                    batch.Samples.Add(new Sample { Sequence = sequence, Machine = $"load-{e}-{s % 4}", Signal = Signal.SpindleLoad, TimestampMs = start + (long)sequence, Number = s });
                }

                return batch.ToByteArray();
            }).ToList()).ToList();

            var cpuBefore = ClusterCpu(hosts, postgres, broker);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, edges).Select(async e =>
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
                    .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId($"{Site}/edge-{e}")
                    .WithCredentials($"{Site}/edge-{e}", edgePassword).Build(), ct);
                foreach (var payload in payloads[e])
                {
                    await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(Site, $"edge-{e}"))
                        .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                }
            }));
            var published = clock.Elapsed;

            var last = (ulong)(batchesPerEdge * batchSize);
            while (true)
            {
                var done = 0;
                for (var e = 0; e < edges; e++)
                {
                    try
                    {
                        var edge = await http.GetFromJsonAsync<EdgeProgress>(new Uri(hosts[e % hosts.Count].BaseAddress, $"api/edges/{Site}/edge-{e}"), ct);
                        done += edge?.HighestSequence == last ? 1 : 0;
                    }
                    catch (TaskCanceledException)
                    {
                        Console.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: silo {e % hosts.Count} did not answer for edge-{e} within {http.Timeout.TotalSeconds} s");
                    }
                }

                if (done == edges)
                {
                    break;
                }

                if (clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    for (var i = 0; i < hosts.Count; i++)
                    {
                        var log = Path.Combine(Path.GetTempPath(), $"cluster-load-silo-{i}.log");
                        await File.WriteAllTextAsync(log, hosts[i].Output, ct);
                        Console.WriteLine($"{hosts[i]}: its output is in {log}");
                    }

                    throw new TimeoutException("the cluster did not commit everything within 5 minutes");
                }

                await Task.Delay(100, ct);
            }

            var elapsed = clock.Elapsed;
            var cpuAfter = ClusterCpu(hosts, postgres, broker);
            var cpu = cpuAfter.Total - cpuBefore.Total;
            var total = edges * batchesPerEdge * batchSize;
            await using var history = new NpgsqlConnection(postgres.ConnectionString("domio_load"));
            await history.OpenAsync(ct);
            await using var count = new NpgsqlCommand("SELECT count(*), count(DISTINCT (edge, sequence)) FROM telemetry_sample", history);
            await using var rows = await count.ExecuteReaderAsync(ct);
            await rows.ReadAsync(ct);
            var (stored, distinct) = (rows.GetInt64(0), rows.GetInt64(1));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"published in {published.TotalSeconds:F1} s; all {total} committed in {elapsed.TotalSeconds:F1} s: {total / elapsed.TotalSeconds:F0} samples/s with {silos} silo(s); " +
                $"CPU {cpu.TotalSeconds:F1} s = {cpu.TotalSeconds / (total / 1e6):F1} CPU-s per million samples " +
                $"(silos {(cpuAfter.Silos - cpuBefore.Silos).TotalSeconds / (total / 1e6):F1}, PostgreSQL {(cpuAfter.Postgres - cpuBefore.Postgres).TotalSeconds / (total / 1e6):F1}, Mosquitto {(cpuAfter.Mosquitto - cpuBefore.Mosquitto).TotalSeconds / (total / 1e6):F1}); history rows {stored}, distinct {distinct}; load average {ProcessFigures.LoadAverage()}"));
            return stored == total && distinct == total ? 0 : 1;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>CPU time used so far by the silos, PostgreSQL (postmaster and backends) and Mosquitto.</summary>
    private static ClusterCpuTime ClusterCpu(IEnumerable<HostProcess> silos, PostgresServer postgres, MosquittoBroker broker) =>
        new(silos.Aggregate(TimeSpan.Zero, (sum, silo) => sum + ProcessFigures.CpuTime(silo.ProcessId)), ProcessFigures.PostgresCpuTime(postgres.Port), ProcessFigures.CpuTime(broker.ProcessId));

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    private sealed record EdgeProgress(ulong HighestSequence);

    private sealed record ClusterCpuTime(TimeSpan Silos, TimeSpan Postgres, TimeSpan Mosquitto)
    {
        public TimeSpan Total => Silos + Postgres + Mosquitto;
    }
}
