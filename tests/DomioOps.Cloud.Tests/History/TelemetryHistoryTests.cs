using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Ingestion;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.DependencyInjection;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.History;

/// <summary>
/// Telemetry published over real MQTT to a real silo lands in the PostgreSQL history exactly once: rows equal
/// samples, redelivery (also after a crash between the history commit and the EdgeGrain's own high-water
/// mark) writes nothing twice, and the per-minute rollups equal the raw rows. Each test has its own edge and machine.
/// </summary>
public sealed class TelemetryHistoryTests(CloudHost cloud) : IClassFixture<CloudHost>
{
    private const string Site = "plant-h";

    private static readonly DateTimeOffset Start = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddHours(-1), TimeSpan.Zero);

    private HistoryDatabase Database => cloud.Services.GetRequiredService<HistoryDatabase>();

    [Fact]
    public async Task Publish_SeveralBatches_RowsEqualSamplesSent()
    {
        var (edge, machine) = Names();
        using var client = await ConnectAsync(edge);

        for (var b = 0; b < 5; b++)
        {
            var result = await PublishAsync(client, Batch(edge, Samples(machine, first: (ulong)(b * 200) + 1, count: 200)));
            AssertCommitted(result);
        }

        Assert.Equal((1000L, 1000L, 1L, 1000L), await CountAsync(edge));
    }

    [Fact]
    public async Task Publish_SameBatchesRedelivered_NoDuplicateRows()
    {
        var (edge, machine) = Names();
        using var client = await ConnectAsync(edge);
        var first = Batch(edge, Samples(machine, 1, 50));
        var second = Batch(edge, Samples(machine, 51, 50));
        await PublishAsync(client, first);
        await PublishAsync(client, second);

        await PublishAsync(client, first);
        await PublishAsync(client, second);
        var overlapping = await PublishAsync(client, Batch(edge, Samples(machine, 76, 50)));

        AssertCommitted(overlapping);
        Assert.Equal((125L, 125L, 1L, 125L), await CountAsync(edge));
    }

    [Fact]
    public async Task Publish_RedeliveryAfterCrashBetweenHistoryAndEdgeMark_HistoryWrittenOnceAndMachineCounted()
    {
        var (edge, machine) = Names();
        var batch = Batch(edge, Samples(machine, 1, 40, Signal.PieceCounter));
        // The silo crashed after the history commit and before EdgeGrain persisted its mark: history holds the
        // batch, the grains do not.
        var history = cloud.Services.GetRequiredService<TelemetryHistory>();
        var written = await history.AppendAsync(EdgeGrain.Key(Site, edge), ToEdgeSamples(batch), TestContext.Current.CancellationToken);
        using var client = await ConnectAsync(edge);

        var redelivered = await PublishAsync(client, batch);

        Assert.Equal(40, written);
        AssertCommitted(redelivered);
        Assert.Equal((40L, 40L, 1L, 40L), await CountAsync(edge));
        var edgeState = await cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge)).GetSnapshot();
        Assert.Equal((40ul, 40L), (edgeState.HighestSequence, edgeState.SamplesAccepted));
        Assert.Equal(39, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Publish_SamplesOverSeveralMinutes_RollupsEqualTheRawRows()
    {
        var (edge, machine) = Names();
        using var client = await ConnectAsync(edge);
        // 300 samples 1 s apart from a minute boundary: minutes of 60, values 0..299 of two signals, one text sample.
        var samples = Samples(machine, 1, 300, Signal.SpindleLoad, step: TimeSpan.FromSeconds(1)).ToList();
        samples.Add(new Sample { Sequence = 301, Machine = machine, Signal = Signal.Alarm, TimestampMs = Start.ToUnixTimeMilliseconds(), Text = "E-stop \"left\", door" });
        await PublishAsync(client, Batch(edge, samples.Take(130)));
        await PublishAsync(client, Batch(edge, samples.Skip(100))); // overlaps: 100..130 redelivered

        var rollups = await ReadRollupsAsync(machine, Signal.SpindleLoad);

        Assert.Equal(5, rollups.Count);
        for (var m = 0; m < 5; m++)
        {
            var values = Enumerable.Range(m * 60, 60).Select(v => (double)v).ToArray();
            Assert.Equal((Start.AddMinutes(m), values.Min(), values.Max(), values.Sum(), 60L, values[^1]), rollups[m]);
        }

        Assert.Equal(await SumOfRawAsync(machine, Signal.SpindleLoad), (rollups.Sum(r => r.Sum), rollups.Sum(r => r.Count)));
        await using var text = Database.DataSource.CreateCommand($"SELECT text FROM telemetry_sample WHERE machine = '{machine}' AND signal = {(short)Signal.Alarm}");
        Assert.Equal("E-stop \"left\", door", await text.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Append_SampleOlderThanRetention_NotStoredButMarkMoves()
    {
        var (edge, machine) = Names();
        var history = cloud.Services.GetRequiredService<TelemetryHistory>();
        var old = Samples(machine, 1, 3, start: DateTimeOffset.UtcNow.AddDays(-400)).Concat(Samples(machine, 4, 2)).ToList();

        var written = await history.AppendAsync(EdgeGrain.Key(Site, edge), ToEdgeSamples(Batch(edge, old)), TestContext.Current.CancellationToken);
        var again = await history.AppendAsync(EdgeGrain.Key(Site, edge), ToEdgeSamples(Batch(edge, old)), TestContext.Current.CancellationToken);

        Assert.Equal((2, 0), (written, again));
        Assert.Equal((2L, 2L, 4L, 5L), await CountAsync(edge));
    }

    private async Task<(long Rows, long DistinctSequences, long MinSequence, long MaxSequence)> CountAsync(string edge)
    {
        await using var command = Database.DataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT sequence), coalesce(min(sequence), 0), coalesce(max(sequence), 0) FROM telemetry_sample WHERE edge = @edge");
        command.Parameters.AddWithValue("edge", EdgeGrain.Key(Site, edge));
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private async Task<List<(DateTimeOffset Minute, double Min, double Max, double Sum, long Count, double Last)>> ReadRollupsAsync(string machine, Signal signal)
    {
        await using var command = Database.DataSource.CreateCommand(
            "SELECT minute, min, max, sum, count, last FROM telemetry_rollup_minute WHERE machine = @machine AND signal = @signal ORDER BY minute");
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        var rows = new List<(DateTimeOffset, double, double, double, long, double)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add((new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetDouble(5)));
        }

        return rows;
    }

    private async Task<(double Sum, long Count)> SumOfRawAsync(string machine, Signal signal)
    {
        await using var command = Database.DataSource.CreateCommand("SELECT sum(number), count(number) FROM telemetry_sample WHERE machine = @machine AND signal = @signal");
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return (reader.GetDouble(0), reader.GetInt64(1));
    }

    internal static IEnumerable<Sample> Samples(string machine, ulong first, int count, Signal signal = Signal.SpindleLoad, TimeSpan? step = null, DateTimeOffset? start = null)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Sample
            {
                Sequence = first + (ulong)i,
                Machine = machine,
                Signal = signal,
                TimestampMs = (start ?? Start).Add((step ?? TimeSpan.FromMilliseconds(10)) * (double)(first - 1 + (ulong)i)).ToUnixTimeMilliseconds(),
                Number = first - 1 + (ulong)i,
            };
        }
    }

    private static TelemetryBatch Batch(string edge, IEnumerable<Sample> samples)
    {
        var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = edge };
        batch.Samples.AddRange(samples);
        return batch;
    }

    private static List<EdgeSample> ToEdgeSamples(TelemetryBatch batch) =>
        [.. batch.Samples.Select(s => new EdgeSample(s.Machine, new MachineSample(s.Sequence, s.Signal, DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs), s.Number, null)))];

    /// <summary>MQTT 5 §3.4.2.1: 0x00 Success and 0x10 No matching subscribers both mean "accepted".</summary>
    private static void AssertCommitted(MqttClientPublishResult result) =>
        Assert.Contains(result.ReasonCode, new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers });

    private async Task<IMqttClient> ConnectAsync(string edge) =>
        await cloud.ConnectEdgeAsync($"{Site}/{edge}", await cloud.RegisterEdgeAsync(Site, edge), TestContext.Current.CancellationToken);

    private static (string Edge, string Machine) Names()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return ($"edge-{id}", $"machine-{id}");
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, TelemetryBatch batch) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(Site, batch.Edge)).WithPayload(batch.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
}
