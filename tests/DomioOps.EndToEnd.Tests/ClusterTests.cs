using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;

using DomioOps.Cloud.Ingestion;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// Three silos as separate processes on one PostgreSQL, consuming one edge's telemetry from a real
/// Mosquitto through an MQTT 5 shared subscription, with the Mosquitto password and ACL files generated
/// from our edge registry. A silo is killed, or PostgreSQL restarted, in the middle of the stream; every
/// sample must still be committed exactly once.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const string Site = "plant-c";
    private const string EdgeId = "edge-c";
    private const string Machine = "saw-c";
    private const int Batches = 120;
    private const int SamplesPerBatch = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ThreeSilos_OneKilledDuringIngestion_EverySampleCommittedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await Cluster.StartAsync(silos: 3, ct);
        using var edge = await cluster.ConnectEdgeAsync(ct);
        var acknowledged = await SubscribeToAcknowledgementsAsync(edge, ct);

        var killedAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        await PublishAllAsync(edge, async batch =>
        {
            if (batch == Batches / 3)
            {
                killedAt = clock.Elapsed;
                await cluster.Silos[1].StopAsync(kill: true);
            }
            else if (batch == Batches / 2)
            {
                // The orchestrator replaces the dead silo; its MQTT session (same client id) is redelivered to it.
                await cluster.RestartSiloAsync(1, ct);
            }
        }, ct);

        var done = await cluster.WaitForAllCommittedAsync(ct);
        output.WriteLine($"all {Batches * SamplesPerBatch} samples committed {(clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill");
        AssertCommittedOnce(done, await cluster.GetMachineAsync(ct));
        Assert.Equal((Batches * SamplesPerBatch, Batches * SamplesPerBatch), await cluster.CountHistoryAsync(ct));

        // Through Mosquitto and its generated ACL, the silos told the edge that everything is committed.
        var deadline = DateTime.UtcNow + Bound;
        while (Interlocked.Read(ref acknowledged.Value) < Batches * SamplesPerBatch && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        Assert.Equal((ulong)(Batches * SamplesPerBatch), (ulong)Interlocked.Read(ref acknowledged.Value));
    }

    [Fact]
    public async Task TwoSilos_TheEdgesTelemetryIsTakenOnTheSiloOfItsGrain()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await Cluster.StartAsync(silos: 2, ct);
        await EdgeOwnership.SettledAsync(cluster.Silos, edges: 1, Bound, ct);
        using var edge = await cluster.ConnectEdgeAsync(ct);

        await PublishAllAsync(edge, _ => Task.CompletedTask, ct);

        AssertCommittedOnce(await cluster.WaitForAllCommittedAsync(ct), await cluster.GetMachineAsync(ct));
        double local = 0, crossed = 0;
        foreach (var silo in cluster.Silos)
        {
            local += await silo.MetricAsync("domio_ingestion_batches_total", ct, "grain=\"this-silo\"") ?? 0;
            crossed += await silo.MetricAsync("domio_ingestion_batches_total", ct, "grain=\"other-silo\"") ?? 0;
        }

        output.WriteLine($"batches committed by the grain on the silo that took them: {local}; on another silo: {crossed}");
        Assert.True(local >= Batches, $"{local} batches counted on the taking silo, {Batches} published");
        Assert.Equal(0, crossed);
    }

    /// <summary>Subscribes the edge to its command topic (the ACL must allow it) and keeps the highest acknowledged sequence.</summary>
    private static async Task<StrongBox<long>> SubscribeToAcknowledgementsAsync(IMqttClient edge, CancellationToken ct)
    {
        var highest = new StrongBox<long>();
        edge.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == EdgeTopics.Acknowledgement(Site, EdgeId))
            {
                var sequence = (long)TelemetryAck.Parser.ParseFrom(e.ApplicationMessage.Payload).Sequence;
                long seen;
                while ((seen = Interlocked.Read(ref highest.Value)) < sequence && Interlocked.CompareExchange(ref highest.Value, sequence, seen) != seen)
                {
                }
            }

            return Task.CompletedTask;
        };
        var granted = await edge.SubscribeAsync(EdgeTopics.Commands(Site, EdgeId), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items.Single().ResultCode);
        return highest;
    }

    [Fact]
    public async Task PostgresRestartedDuringIngestion_EverySampleCommittedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        // The silos reach Mosquitto over TLS here, trusting only the test CA.
        await using var cluster = await Cluster.StartAsync(silos: 2, ct, tls: true);
        using var edge = await cluster.ConnectEdgeAsync(ct);

        await PublishAllAsync(edge, async batch =>
        {
            if (batch == Batches / 3)
            {
                await cluster.Postgres.StopAsync(ct);
            }
            else if (batch == Batches / 2)
            {
                await cluster.Postgres.StartAgainAsync(ct);
            }
        }, ct);

        AssertCommittedOnce(await cluster.WaitForAllCommittedAsync(ct), await cluster.GetMachineAsync(ct));
        Assert.Equal((Batches * SamplesPerBatch, Batches * SamplesPerBatch), await cluster.CountHistoryAsync(ct));
    }

    private static void AssertCommittedOnce(EdgeView edge, MachineView? machine)
    {
        Assert.Equal((ulong)(Batches * SamplesPerBatch), edge.HighestSequence);
        Assert.Equal(Batches * SamplesPerBatch, edge.SamplesAccepted);
        Assert.Equal(0ul, edge.MissingSamples);
        Assert.NotNull(machine);
        Assert.Equal(Batches * SamplesPerBatch, machine.PieceCount);
    }

    /// <summary>Publishes every batch at QoS 1 (the broker's PUBACK) with sequences 1..N, one piece per sample.</summary>
    private static async Task PublishAllAsync(IMqttClient edge, Func<int, Task> beforeBatch, CancellationToken ct)
    {
        ulong sequence = 0;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var b = 0; b < Batches; b++)
        {
            await beforeBatch(b);
            var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = EdgeId };
            for (var s = 0; s < SamplesPerBatch; s++)
            {
                sequence++;
                batch.Samples.Add(new Sample { Sequence = sequence, Machine = Machine, Signal = Signal.PieceCounter, TimestampMs = start + (long)sequence, Number = sequence });
            }

            var result = await edge.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(Site, EdgeId)).WithPayload(batch.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                ct);
            Assert.True(result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers, $"batch {b}: {result.ReasonCode}");
            await Task.Delay(20, ct);
        }
    }

    private sealed class Cluster : IAsyncDisposable
    {
        private readonly string _edgePassword = EdgeCredentials.NewPassword();
        private readonly string _cloudPassword = EdgeCredentials.NewPassword();
        private readonly string _adminPassword = $"Cluster-{Guid.NewGuid():N}-A1";
        private readonly List<(int Http, int Silo, int Gateway)> _ports = [];
        private readonly string _cloudKeys = Directory.CreateTempSubdirectory("domioops-cloud-keys-").FullName;

        // One cookie jar for the whole cluster: cookies are not bound to a port, and the silos share their
        // data-protection keys, so signing in at one silo is signing in at all.
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
        private MosquittoBroker? _broker;
        private TestCertificates? _certificates;

        // The silos admit each other over mutual TLS (Silo:Tls), as in production.
        private readonly TestCertificates _siloCertificates = TestCertificates.Create();

        private Cluster(PostgresServer postgres) => Postgres = postgres;

        public PostgresServer Postgres { get; }

        public List<HostProcess> Silos { get; } = [];

        public static async Task<Cluster> StartAsync(int silos, CancellationToken ct, bool tls = false)
        {
            var cluster = new Cluster(await PostgresServer.StartAsync(ct)) { _certificates = tls ? TestCertificates.Create() : null };
            try
            {
                var edgeHash = EdgeCredentials.Hash(cluster._edgePassword);
                var (passwords, cloudPasswords, acl) = MosquittoConfiguration.Render(
                    [new EdgeRegistration(Site, EdgeId, edgeHash, Disabled: false)], "domio-cloud", EdgeCredentials.Hash(cluster._cloudPassword));
                cluster._broker = await MosquittoBroker.StartAsync(passwords, acl, ct, cluster._certificates, cloudPasswords);
                for (var i = 0; i < silos; i++)
                {
                    cluster._ports.Add((FreePort.Next(), FreePort.Next(), FreePort.Next()));
                    cluster.Silos.Add(await cluster.StartSiloAsync(i, ct));
                }

                using (var signIn = await cluster._http.PostAsJsonAsync(
                    new Uri(cluster.Silos[0].BaseAddress, "api/account/sign-in"), new { userName = "admin", password = cluster._adminPassword }, ct))
                {
                    signIn.EnsureSuccessStatusCode();
                }

                // An Admin sets up two-factor before reaching anything but their account.
                await Totp.EnrolAsync(cluster._http, ct, cluster.Silos[0].BaseAddress);
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async Task RestartSiloAsync(int index, CancellationToken ct)
        {
            await Silos[index].DisposeAsync();
            Silos[index] = await StartSiloAsync(index, ct);
        }

        public async Task<IMqttClient> ConnectEdgeAsync(CancellationToken ct)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", _broker!.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId($"{Site}/{EdgeId}")
                .WithCredentials($"{Site}/{EdgeId}", _edgePassword)
                .Build(), ct);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            return client;
        }

        /// <summary>Waits until the cluster has committed the last sequence, asking whichever silo is alive.</summary>
        public async Task<EdgeView> WaitForAllCommittedAsync(CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + Bound;
            EdgeView? last = null;
            while (DateTime.UtcNow < deadline)
            {
                last = await AskAnySiloAsync<EdgeView>($"api/edges/{Site}/{EdgeId}", ct) ?? last;
                if (last?.HighestSequence == Batches * SamplesPerBatch)
                {
                    return last;
                }

                await Task.Delay(250, ct);
            }

            throw new TimeoutException($"after {Bound.TotalSeconds} s the cluster shows {last}\n{Logs()}");
        }

        public Task<MachineView?> GetMachineAsync(CancellationToken ct) => AskAnySiloAsync<MachineView>($"api/machines/{Machine}", ct);

        /// <summary>History rows of the edge, and distinct sequences among them: equal when nothing is duplicated.</summary>
        public async Task<(long Rows, long Sequences)> CountHistoryAsync(CancellationToken ct)
        {
            await using var connection = new Npgsql.NpgsqlConnection(Postgres.ConnectionString("domio_cluster"));
            await connection.OpenAsync(ct);
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*), count(DISTINCT sequence) FROM telemetry_sample WHERE edge = @edge", connection);
            count.Parameters.AddWithValue("edge", $"{Site}/{EdgeId}");
            await using var reader = await count.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in Silos)
            {
                await silo.DisposeAsync();
            }

            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            await Postgres.DisposeAsync();
            _http.Dispose();
            _certificates?.Dispose();
            Directory.Delete(_cloudKeys, recursive: true);
            _siloCertificates.Dispose();
        }

        private async Task<T?> AskAnySiloAsync<T>(string path, CancellationToken ct)
            where T : class
        {
            foreach (var silo in Silos.Where(s => !s.HasExited))
            {
                try
                {
                    return await _http.GetFromJsonAsync<T>(new Uri(silo.BaseAddress, path), ct);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // That silo is busy recovering; ask the next.
                }
            }

            return null;
        }

        private Task<HostProcess> StartSiloAsync(int index, CancellationToken ct)
        {
            var environment = new CloudEnvironment(Postgres.ConnectionString("domio_cluster"), Path.Combine(Postgres.DataDirectory, "audit"), _adminPassword, _broker!.CloudPort!.Value, _ports[index].Silo, _ports[index].Gateway)
            {
                ["Silo__Tls__CertificatePath"] = _siloCertificates.ServerCertificatePath,
                ["Silo__Tls__KeyPath"] = _siloCertificates.ServerKeyPath,
                ["Silo__Tls__CaCertificatePath"] = _siloCertificates.CaPath,
                // Every silo reads the same badge key file.
                ["Security__BadgeKeyFile"] = Path.Combine(_cloudKeys, "badge.key"),
            }.UseExternalBroker($"silo-{index}", _cloudPassword).AddEdge(Site, EdgeId, EdgeCredentials.Hash(_edgePassword));
            if (_certificates is not null)
            {
                environment["Broker__Address"] = "localhost";
                environment["Broker__Tls"] = "true";
                environment["Broker__CaCertificatePath"] = _certificates.CaPath;
            }

            return HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct, _ports[index].Http);
        }

        private string Logs() =>
            string.Join("\n", Silos.Select(s => $"--- {s}\n{(s.Output.Length > 3000 ? s.Output[^3000..] : s.Output)}")) + $"\n--- mosquitto\n{_broker?.Output}";
    }
}
