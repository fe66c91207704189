using System.Net.Sockets;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Extensions.DependencyInjection;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// Issue #20's critical finding against the embedded broker over real MQTT: one edge's credentials with the cloud's
/// client id published a forged <c>cmd/ack</c> to itself and a <c>cmd/config</c> to another edge. And the limits that
/// hold before authentication: packet size, connection count.
/// </summary>
public sealed class BrokerSecurityTests(CloudHost cloud) : IClassFixture<CloudHost>
{
    private const string Site = "plant-s";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("domio-cloud")]
    [InlineData("edge/plant-s/other")]
    [InlineData("")]
    public async Task Connect_ClientIdOtherThanTheUserName_RefusedAsClientIdentifierNotValid(string clientId)
    {
        var edge = NewEdge();
        var password = await cloud.RegisterEdgeAsync(Site, edge);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            cloud.ConnectEdgeAsync($"{Site}/{edge}", password, TestContext.Current.CancellationToken, clientId: clientId));

        Assert.Contains(nameof(MqttClientConnectResultCode.ClientIdentifierNotValid), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithAnotherEdgesClientId_RefusedAndTheOtherEdgeKeepsItsSessionAndCommands()
    {
        var (victim, attacker) = (NewEdge(), NewEdge());
        using var victimClient = await cloud.ConnectEdgeAsync($"{Site}/{victim}", await cloud.RegisterEdgeAsync(Site, victim), TestContext.Current.CancellationToken);
        var acks = await CommandSubscription.SubscribeAsync(victimClient, EdgeTopics.Acknowledgement(Site, victim), TelemetryAck.Parser);
        var attackerPassword = await cloud.RegisterEdgeAsync(Site, attacker);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            cloud.ConnectEdgeAsync($"{Site}/{attacker}", attackerPassword, TestContext.Current.CancellationToken, clientId: $"{Site}/{victim}"));
        await AcknowledgeAsync(victim, 7);

        Assert.True(victimClient.IsConnected);
        Assert.Equal(7ul, (await acks.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken)).Sequence);
    }

    [Fact]
    public async Task Publish_ForgedAckOnItsOwnCommandTopic_RefusedAndNeverDelivered()
    {
        var edge = NewEdge();
        using var client = await cloud.ConnectEdgeAsync($"{Site}/{edge}", await cloud.RegisterEdgeAsync(Site, edge), TestContext.Current.CancellationToken);
        var acks = await CommandSubscription.SubscribeAsync(client, EdgeTopics.Acknowledgement(Site, edge), TelemetryAck.Parser);

        var forged = await PublishAsync(client, EdgeTopics.Acknowledgement(Site, edge), new TelemetryAck { SchemaVersion = 1, Site = Site, Edge = edge, Sequence = ulong.MaxValue }.ToByteArray());
        await AcknowledgeAsync(edge, 3);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        // The cloud's own acknowledgement, sent after the forged one, is the first and only one to arrive.
        Assert.Equal(3ul, (await acks.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken)).Sequence);
        Assert.False(acks.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Publish_ConfigurationForAnotherEdge_RefusedAndTheOtherEdgeGetsOnlyTheCloudsSigned()
    {
        const string Devices = """{"Devices":{}}""";
        var (victim, attacker) = (NewEdge(), NewEdge());
        using var victimClient = await cloud.ConnectEdgeAsync($"{Site}/{victim}", await cloud.RegisterEdgeAsync(Site, victim), TestContext.Current.CancellationToken);
        var configurations = await CommandSubscription.SubscribeAsync(victimClient, EdgeTopics.Configuration(Site, victim), EdgeConfiguration.Parser);
        using var attackerClient = await cloud.ConnectEdgeAsync($"{Site}/{attacker}", await cloud.RegisterEdgeAsync(Site, attacker), TestContext.Current.CancellationToken);

        var forged = await PublishAsync(attackerClient, EdgeTopics.Configuration(Site, victim), new EdgeConfiguration { SchemaVersion = 1, Site = Site, Edge = victim, Version = ulong.MaxValue, DevicesJson = Devices }.ToByteArray());
        Assert.True(await cloud.Services.GetRequiredService<EdgeCommands>().PublishConfigurationAsync(Site, victim, 1, Devices, TestContext.Current.CancellationToken));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        var received = await configurations.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(1ul, received.Version);
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(cloud.Services.GetRequiredService<EdgeConfigurationKey>().PublicKeyPem);
        Assert.True(EdgeConfigurationSignature.Verify(key, received));
    }

    [Fact]
    public async Task EndSession_CredentialRotated_LiveConnectionClosedAndOldPasswordRefused()
    {
        var edge = NewEdge();
        var oldPassword = await cloud.RegisterEdgeAsync(Site, edge);
        using var client = await cloud.ConnectEdgeAsync($"{Site}/{edge}", oldPassword, TestContext.Current.CancellationToken);
        var disconnected = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e.Reason);
            return Task.CompletedTask;
        };

        await cloud.RegisterEdgeAsync(Site, edge);
        await cloud.Services.GetRequiredService<EdgeCommands>().EndSessionAsync(Site, edge);

        Assert.Equal(MqttClientDisconnectReason.NotAuthorized, await disconnected.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cloud.ConnectEdgeAsync($"{Site}/{edge}", oldPassword, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F })] // CONNECT claiming 268,435,455 bytes, the most MQTT can say
    [InlineData(new byte[] { 0x10, 0x81, 0x20 })] // CONNECT claiming 4,097 bytes, one over the limit
    [InlineData(new byte[] { 0x30, 0x05 })] // PUBLISH before CONNECT
    public async Task Connect_HeaderOverTheLimitOrNotConnect_ClosedAtOnceWithoutWaitingForTheBody(byte[] header)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", cloud.BrokerPort, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();

        await stream.WriteAsync(header, TestContext.Current.CancellationToken);

        // Before, the broker allocated the claimed body and waited for it, for up to its communication timeout.
        Assert.Equal(0, await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Publish_PacketOverTheLimitAfterConnect_ConnectionClosed()
    {
        var edge = NewEdge();
        using var client = await cloud.ConnectEdgeAsync($"{Site}/{edge}", await cloud.RegisterEdgeAsync(Site, edge), TestContext.Current.CancellationToken);
        var limit = CloudHost.MaxPayloadBytes + (64 * 1024);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };

        var withinTheLimit = await PublishAsync(client, EdgeTopics.Telemetry(Site, edge), new byte[CloudHost.MaxPayloadBytes + 1]);
        await Assert.ThrowsAnyAsync<Exception>(() => PublishAsync(client, EdgeTopics.Telemetry(Site, edge), new byte[limit + 1]));

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, withinTheLimit.ReasonCode);
        await disconnected.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Connect_OneMoreThanMaxConnections_ClosedAtOnceAndAcceptedAgainWhenOneLeaves()
    {
        var broker = cloud.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<EmbeddedBroker>().Single();
        await Eventually.ReturnsAsync(() => Task.FromResult(broker.Connections), n => n == 0, Deadline, TestContext.Current.CancellationToken);
        var open = new List<TcpClient>();
        try
        {
            for (var i = 0; i < CloudHost.MaxConnections; i++)
            {
                var socket = new TcpClient();
                open.Add(socket);
                await socket.ConnectAsync("127.0.0.1", cloud.BrokerPort, TestContext.Current.CancellationToken);
            }

            Assert.Equal(CloudHost.MaxConnections, (await Eventually.ReturnsAsync(() => Task.FromResult(broker.Connections), n => n == CloudHost.MaxConnections, Deadline, TestContext.Current.CancellationToken)));
            using var oneMore = new TcpClient();
            await oneMore.ConnectAsync("127.0.0.1", cloud.BrokerPort, TestContext.Current.CancellationToken);
            Assert.Equal(0, await ReadToEndAsync(oneMore.GetStream()));

            open[0].Dispose();
            await Eventually.ReturnsAsync(() => Task.FromResult(broker.Connections), n => n < CloudHost.MaxConnections, Deadline, TestContext.Current.CancellationToken);
            var edge = NewEdge();
            using var client = await cloud.ConnectEdgeAsync($"{Site}/{edge}", await cloud.RegisterEdgeAsync(Site, edge), TestContext.Current.CancellationToken);
            Assert.True(client.IsConnected);
        }
        finally
        {
            open.ForEach(s => s.Dispose());
        }
    }

    private static string NewEdge() => $"edge-{Guid.NewGuid():N}"[..13];

    /// <summary>Reads until the broker closes the connection; the bytes read (0: closed without a word). Fails after <see cref="Deadline"/>.</summary>
    private static async Task<int> ReadToEndAsync(NetworkStream stream)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        var buffer = new byte[256];
        var total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // Reset by the broker: closed as well.
        }

        return total;
    }

    private async Task AcknowledgeAsync(string edge, ulong sequence)
    {
        var commands = cloud.Services.GetRequiredService<EdgeCommands>();
        commands.Acknowledge(Site, edge, sequence);
        await commands.FlushAsync(TestContext.Current.CancellationToken);
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
}
