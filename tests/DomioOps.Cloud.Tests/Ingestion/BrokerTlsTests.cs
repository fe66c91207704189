using System.Net.Sockets;

using DomioOps.Cloud.Machines;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>The embedded broker with TLS configured: it listens only with TLS, and only a client trusting its CA connects.</summary>
public sealed class BrokerTlsTests(TlsCloudHost cloud) : IClassFixture<TlsCloudHost>
{
    private const string Site = "plant-tls";

    [Fact]
    public async Task Publish_OverTlsTrustingTheBrokersCa_Committed()
    {
        var edge = $"edge-{Guid.NewGuid():N}"[..13];
        var machine = $"machine-{edge}";
        var password = await cloud.RegisterEdgeAsync(Site, edge);
        using var client = await cloud.ConnectEdgeAsync($"{Site}/{edge}", password, TestContext.Current.CancellationToken, cloud.Certificates.CaPath);
        var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = edge };
        batch.Samples.Add(new Sample { Sequence = 1, Machine = machine, Signal = Signal.PieceCounter, TimestampMs = 1_764_000_000_001, Number = 3 });

        var result = await client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(Site, edge)).WithPayload(batch.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);

        Assert.Contains(result.ReasonCode, new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers });
        Assert.Equal(3, (await cloud.Grains.GetGrain<IMachineGrain>(machine).GetSnapshot())!.PieceCount);
    }

    [Fact]
    public async Task Connect_OverTlsToABrokerOfAnotherCa_Refused()
    {
        var edge = $"edge-{Guid.NewGuid():N}"[..13];
        var password = await cloud.RegisterEdgeAsync(Site, edge);
        using var stranger = Testing.TestCertificates.Create();

        var refused = await Assert.ThrowsAnyAsync<MQTTnet.Exceptions.MqttCommunicationException>(() =>
            cloud.ConnectEdgeAsync($"{Site}/{edge}", password, TestContext.Current.CancellationToken, stranger.CaPath));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.GetBaseException());
    }

    [Fact]
    public async Task Connect_InClearWhileTlsIsConfigured_NothingListens()
    {
        using var socket = new TcpClient();

        var refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync("127.0.0.1", cloud.UnusedPlainPort, TestContext.Current.CancellationToken));

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Connect_InClearToTheTlsPort_NoMqttSessionIsEverOpened()
    {
        var edge = $"edge-{Guid.NewGuid():N}"[..13];
        var password = await cloud.RegisterEdgeAsync(Site, edge);

        // The TLS listener reads the CONNECT as a malformed TLS record and closes the connection.
        await Assert.ThrowsAnyAsync<MQTTnet.Exceptions.MqttCommunicationException>(() =>
            cloud.ConnectEdgeAsync($"{Site}/{edge}", password, TestContext.Current.CancellationToken));
    }
}
