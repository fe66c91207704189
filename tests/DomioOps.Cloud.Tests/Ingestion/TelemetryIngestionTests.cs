using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.DependencyInjection;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// Telemetry published over real MQTT to the embedded broker: what the PUBACK says, what the grains keep,
/// and that hostile payloads are refused without stopping valid data. Each test uses its own edge and machine.
/// </summary>
public sealed class TelemetryIngestionTests(CloudHost cloud) : IClassFixture<CloudHost>
{
    private const string Site = "plant-t";

    [Fact]
    public async Task Publish_ValidBatch_PubackAfterCommitAndMachineStateVisible()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);

        var result = await PublishAsync(client, Batch(edge, machine, (1, Signal.MachineState, 3), (2, Signal.PieceCounter, 7)));

        AssertCommitted(result);
        var snapshot = await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot();
        Assert.NotNull(snapshot);
        Assert.Equal(("Working", 7L, Site, edge), (snapshot.State, snapshot.PieceCount, snapshot.Site, snapshot.Edge));
    }

    [Fact]
    public async Task Publish_SameBatchTwice_CountedOnce()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 10)));
        await PublishAsync(client, Batch(edge, machine, (2, Signal.PieceCounter, 11), (3, Signal.PieceCounter, 12)));

        var again = await PublishAsync(client, Batch(edge, machine, (2, Signal.PieceCounter, 11), (3, Signal.PieceCounter, 12)));

        AssertCommitted(again);
        var edgeState = await cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge)).GetSnapshot();
        Assert.Equal((3ul, 3L, 2L, 0ul), (edgeState.HighestSequence, edgeState.SamplesAccepted, edgeState.DuplicatesDropped, edgeState.MissingSamples));
        Assert.Equal(12, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Ingest_OutOfOrder_WaitsUnacknowledgedUntilTheHoleFillsThenCommittedInOrder()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1)));
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));

        // As a second silo would hand it over: the batch beyond the hole, straight to the grain.
        var beyond = grain.Ingest(Samples(machine, (4, Signal.PieceCounter, 4), (5, Signal.PieceCounter, 5)));
        var holding = await Eventually.ReturnsAsync(grain.GetSnapshot, s => s.Held == 2, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var stillWaiting = !beyond.IsCompleted;
        AssertCommitted(await PublishAsync(client, Batch(edge, machine, (2, Signal.PieceCounter, 2), (3, Signal.PieceCounter, 3))));
        var released = await beyond;

        Assert.True(stillWaiting, "the call that brought samples beyond the hole returned before they were committed");
        Assert.Equal(1ul, holding.HighestSequence);
        Assert.Equal((2, 0, 0ul, 5ul), (released.Accepted, released.Duplicates, released.MissingBefore, released.HighestSequence));
        var edgeState = await grain.GetSnapshot();
        Assert.Equal((5ul, 5L, 0ul, 0), (edgeState.HighestSequence, edgeState.SamplesAccepted, edgeState.MissingSamples, edgeState.Held));
        // Applied in sequence order, the counter's increments add up exactly.
        Assert.Equal(5, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Ingest_SameBatchBeyondAHoleTwice_BothWaitAndItIsCountedOnce()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1)));
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));

        // A redelivery of a batch that another silo still holds must not be acknowledged before the original commits.
        var first = grain.Ingest(Samples(machine, (3, Signal.PieceCounter, 3)));
        var again = grain.Ingest(Samples(machine, (3, Signal.PieceCounter, 3)));
        await Eventually.ReturnsAsync(grain.GetSnapshot, s => s.Held == 1 && s.DuplicatesDropped == 1, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var waiting = (first.IsCompleted, again.IsCompleted);
        await grain.Ingest(Samples(machine, (2, Signal.PieceCounter, 2)));

        Assert.Equal((false, false), waiting);
        Assert.Equal((1, 0), ((await first).Accepted, (await first).Duplicates));
        Assert.Equal((0, 1), ((await again).Accepted, (await again).Duplicates));
        Assert.Equal(3, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Ingest_CopyArrivingWhileItsRunIsWritten_CountedAsDuplicateNotHeldAgain()
    {
        var (edge, machine) = Names();
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));
        var beyond = grain.Ingest(Samples(machine, (2, Signal.PieceCounter, 2)));
        await Eventually.ReturnsAsync(grain.GetSnapshot, s => s.Held == 1, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        // The hole fills and the run 1..2 is written; a redelivered copy of 2 follows at once, while it is written.
        var filling = grain.Ingest(Samples(machine, (1, Signal.PieceCounter, 1)));
        var copy = grain.Ingest(Samples(machine, (2, Signal.PieceCounter, 2)));
        await Task.WhenAll(beyond, filling, copy);
        var next = await grain.Ingest(Samples(machine, (3, Signal.PieceCounter, 3)));

        Assert.Equal((0, 1, 2ul), ((await copy).Accepted, (await copy).Duplicates, (await copy).HighestSequence));
        Assert.Equal(3ul, next.HighestSequence);
        var edgeState = await grain.GetSnapshot();
        Assert.Equal((3ul, 3L, 1L, 0ul, 0), (edgeState.HighestSequence, edgeState.SamplesAccepted, edgeState.DuplicatesDropped, edgeState.MissingSamples, edgeState.Held));
        Assert.Equal(3, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Ingest_HoleThatDoesNotFillWithinTheHold_StoredAndReturnedThenCommittedWhenItFills()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1)));
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));

        // The call returns once the hold is over, its samples stored beyond the hole (its batch may be acknowledged).
        var stored = await grain.Ingest(Samples(machine, (3, Signal.PieceCounter, 3)));
        var holding = await grain.GetSnapshot();
        AssertCommitted(await PublishAsync(client, Batch(edge, machine, (2, Signal.PieceCounter, 2))));

        Assert.Equal((1, 1ul), (stored.Accepted, stored.HighestSequence));
        Assert.Equal((1ul, 1), (holding.HighestSequence, holding.Held));
        var edgeState = await grain.GetSnapshot();
        Assert.Equal((3ul, 3L, 0ul, 0), (edgeState.HighestSequence, edgeState.SamplesAccepted, edgeState.MissingSamples, edgeState.Held));
        Assert.Equal(3, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Ingest_HoleThatNeverFills_DeclaredMissingAfterTheReorderWindow()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1)));
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));

        await grain.Ingest(Samples(machine, (5, Signal.PieceCounter, 5)));

        // Nothing else arrives: the grain's own timer gives up on the hole once the window has passed.
        var edgeState = await Eventually.ReturnsAsync(grain.GetSnapshot, s => s.Held == 0 && s.HighestSequence == 5, CloudHost.ReorderWindow * 20, TestContext.Current.CancellationToken);
        Assert.Equal((5ul, 2L, 3ul), (edgeState.HighestSequence, edgeState.SamplesAccepted, edgeState.MissingSamples));
    }

    [Fact]
    public async Task Publish_PieceCounterResetAtMachine_TotalKeepsRising()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);

        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 10), (2, Signal.PieceCounter, 12), (3, Signal.PieceCounter, 2)));

        Assert.Equal(14, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Publish_Garbage_RefusedAsPayloadFormatInvalid_ValidDataStillFlows()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);

        var garbage = await PublishRawAsync(client, EdgeTopics.Telemetry(Site, edge), [0xFF, 0xFF, 0xFF, 0x0F, 0x22, 0x99]);
        var valid = await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1)));

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, garbage.ReasonCode);
        AssertCommitted(valid);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Publish_UnknownSchemaVersion_Refused()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        var batch = Batch(edge, machine, (1, Signal.PieceCounter, 1));
        batch.SchemaVersion = 2;

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await PublishAsync(client, batch)).ReasonCode);
        Assert.Null(await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot());
    }

    [Fact]
    public async Task Publish_Oversized_RefusedAsQuotaExceeded()
    {
        var (edge, _) = Names();
        await using var client = await ConnectAsync(edge);

        var result = await PublishRawAsync(client, EdgeTopics.Telemetry(Site, edge), new byte[CloudHost.MaxPayloadBytes + 1]);

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, result.ReasonCode);
    }

    [Fact]
    public async Task Publish_OnAnotherEdgesTopic_RefusedAsNotAuthorized()
    {
        var (edge, machine) = Names();
        var (victim, _) = Names();
        await cloud.RegisterEdgeAsync(Site, victim);
        await using var client = await ConnectAsync(edge);

        var result = await PublishRawAsync(client, EdgeTopics.Telemetry(Site, victim), Batch(victim, machine, (1, Signal.PieceCounter, 1)).ToByteArray());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal(0ul, (await cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, victim)).GetSnapshot()).HighestSequence);
    }

    [Fact]
    public async Task Publish_Committed_CloudAcknowledgesTheContiguousHighWaterMarkOnCmdAck()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        var acks = await SubscribeAsync(client, EdgeTopics.Acknowledgement(Site, edge), TelemetryAck.Parser);

        await PublishAsync(client, Batch(edge, machine, (1, Signal.PieceCounter, 1), (2, Signal.PieceCounter, 2)));
        Assert.Equal(2ul, (await acks.Reader.ReadAsync(TestContext.Current.CancellationToken)).Sequence);

        // Beyond a hole (as another silo would hand it over): held, and nothing acknowledged until the hole fills.
        var beyond = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge)).Ingest(Samples(machine, (5, Signal.PieceCounter, 5)));
        await PublishAsync(client, Batch(edge, machine, (3, Signal.PieceCounter, 3), (4, Signal.PieceCounter, 4)));
        var filled = await acks.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal((5ul, Site, edge), (filled.Sequence, filled.Site, filled.Edge));
        Assert.Equal(5ul, (await beyond).HighestSequence);

        // A republished batch (the edge missed the acknowledgement) is acknowledged again.
        await PublishAsync(client, Batch(edge, machine, (4, Signal.PieceCounter, 4)));
        Assert.Equal(5ul, (await acks.Reader.ReadAsync(TestContext.Current.CancellationToken)).Sequence);
    }

    [Fact]
    public async Task Publish_OnOwnCommandTopic_RefusedAsNotAuthorized()
    {
        var (edge, _) = Names();
        await using var client = await ConnectAsync(edge);

        var result = await PublishRawAsync(client, EdgeTopics.Acknowledgement(Site, edge), new TelemetryAck { SchemaVersion = 1, Site = Site, Edge = edge, Sequence = 99 }.ToByteArray());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }

    [Fact]
    public async Task DesiredConfiguration_RetainedOnCmdConfig_ReportedVersionInSnapshot()
    {
        const string Devices = """{"Devices":[]}""";
        var (edge, _) = Names();
        var grain = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge));
        var version = await grain.SetDesiredConfiguration(Devices, setBy: null);
        var commands = cloud.Services.GetRequiredService<EdgeCommands>();
        Assert.True(await commands.PublishConfigurationAsync(Site, edge, version, Devices, TestContext.Current.CancellationToken));

        // Retained: an edge that subscribes later still gets it.
        await using var client = await ConnectAsync(edge);
        var configurations = await SubscribeAsync(client, EdgeTopics.Configuration(Site, edge), EdgeConfiguration.Parser);
        var desired = await configurations.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal((1ul, Devices, edge), (desired.Version, desired.DevicesJson, desired.Edge));

        var status = new EdgeStatus { SchemaVersion = 1, Site = Site, Edge = edge, Online = true, ConfigVersion = 0, RejectedConfigVersion = 1 };
        status.ConfigErrors.Add("Edge:Devices:0:Machine: set it");
        AssertCommitted(await PublishRawAsync(client, EdgeTopics.Status(Site, edge), status.ToByteArray()));

        var snapshot = await grain.GetSnapshot();
        Assert.Equal((1ul, 0ul, 1ul), (snapshot.DesiredConfigVersion, snapshot.AppliedConfigVersion, snapshot.RejectedConfigVersion));
        Assert.Equal(["Edge:Devices:0:Machine: set it"], snapshot.ConfigErrors);
    }

    [Fact]
    public async Task Subscribe_ToAnotherEdgesCommands_Refused()
    {
        var (edge, _) = Names();
        await using var client = await ConnectAsync(edge);

        var own = await client.Client.SubscribeAsync(EdgeTopics.Commands(Site, edge), MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        var foreign = await client.Client.SubscribeAsync(EdgeTopics.Commands(Site, "someone-else"), MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        var everything = await client.Client.SubscribeAsync("#", MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreign.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, everything.Items.Single().ResultCode);
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData("unknown edge")]
    [InlineData("disabled edge")]
    public async Task Connect_WithoutValidCredentials_RefusedAsBadUserNameOrPassword(string scenario)
    {
        var (edge, _) = Names();
        var password = scenario == "unknown edge" ? "whatever" : await cloud.RegisterEdgeAsync(Site, edge);
        if (scenario == "disabled edge")
        {
            await cloud.Grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Disable(Site, edge);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            cloud.ConnectEdgeAsync($"{Site}/{edge}", scenario == "wrong password" ? password + "x" : password, TestContext.Current.CancellationToken));

        Assert.Contains(nameof(MqttClientConnectResultCode.BadUserNameOrPassword), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_BatchOfAnotherEdge_RefusedAsNotAuthorized()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);
        var spoofed = Batch("someone-else", machine, (1, Signal.PieceCounter, 1));

        var result = await PublishRawAsync(client, EdgeTopics.Telemetry(Site, edge), spoofed.ToByteArray());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Null(await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot());
    }

    [Fact]
    public async Task Publish_SequencesNotIncreasingOrUnknownSignal_Refused()
    {
        var (edge, machine) = Names();
        await using var client = await ConnectAsync(edge);

        var backwards = await PublishAsync(client, Batch(edge, machine, (2, Signal.PieceCounter, 1), (1, Signal.PieceCounter, 2)));
        var unknownSignal = await PublishAsync(client, Batch(edge, machine, (1, (Signal)999, 1)));
        var badMachine = await PublishAsync(client, Batch(edge, "../etc", (1, Signal.PieceCounter, 1)));

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, backwards.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, unknownSignal.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, badMachine.ReasonCode);
        Assert.Equal(0ul, (await cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, edge)).GetSnapshot()).HighestSequence);
    }

    [Fact]
    public async Task Publish_TopicOutsideTheScheme_RefusedAsTopicNameInvalid()
    {
        var (edge, _) = Names();
        await using var client = await ConnectAsync(edge);

        var result = await PublishRawAsync(client, "domio/v1/plant t/edge/telemetry", [1]);

        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, result.ReasonCode);
    }

    /// <summary>MQTT 5 §3.4.2.1: 0x00 Success and 0x10 No matching subscribers both mean "accepted".</summary>
    private static void AssertCommitted(MqttClientPublishResult result) =>
        Assert.Contains(result.ReasonCode, new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers });

    private static (string Edge, string Machine) Names()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return ($"edge-{id}", $"machine-{id}");
    }

    private async Task<DisposableClient> ConnectAsync(string edge) =>
        new(await cloud.ConnectEdgeAsync($"{Site}/{edge}", await cloud.RegisterEdgeAsync(Site, edge), TestContext.Current.CancellationToken));

    private static TelemetryBatch Batch(string edge, string machine, params (ulong Sequence, Signal Signal, double Value)[] samples)
    {
        var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = edge };
        batch.Samples.AddRange(samples.Select(s => new Sample { Sequence = s.Sequence, Machine = machine, Signal = s.Signal, TimestampMs = 1_764_000_000_000 + (long)s.Sequence, Number = s.Value }));
        return batch;
    }

    private static List<EdgeSample> Samples(string machine, params (ulong Sequence, Signal Signal, double Value)[] samples) =>
        [.. samples.Select(s => new EdgeSample(machine, new MachineSample(s.Sequence, s.Signal, DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000 + (long)s.Sequence), s.Value, null)))];

    /// <summary>Subscribes the edge to <paramref name="topic"/>; what arrives is parsed into the channel.</summary>
    private static async Task<System.Threading.Channels.Channel<T>> SubscribeAsync<T>(DisposableClient client, string topic, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var received = System.Threading.Channels.Channel.CreateUnbounded<T>();
        client.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == topic)
            {
                received.Writer.TryWrite(parser.ParseFrom(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
        var result = await client.Client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        return received;
    }

    private static Task<MqttClientPublishResult> PublishAsync(DisposableClient client, TelemetryBatch batch) =>
        PublishRawAsync(client, EdgeTopics.Telemetry(Site, batch.Edge), batch.ToByteArray());

    private static Task<MqttClientPublishResult> PublishRawAsync(DisposableClient client, string topic, byte[] payload) =>
        client.Client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);

    private sealed class DisposableClient(IMqttClient client) : IAsyncDisposable
    {
        public IMqttClient Client { get; } = client;

        public bool IsConnected => Client.IsConnected;

        public async ValueTask DisposeAsync()
        {
            await Client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            Client.Dispose();
        }
    }
}
