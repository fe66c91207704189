using DomioOps.Cloud.Ingestion;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// Issue #20's client-id spoof against a real Mosquitto 2 configured as deploy/mosquitto/mosquitto.conf is (the edges'
/// listener with use_username_as_clientid, the silos' listener with the silos' password file only), with the password
/// and ACL files the cloud generates: an edge's credentials under another's client id take over nothing, and no
/// forged command reaches an edge.
/// </summary>
public sealed class MosquittoClientIdTests : IAsyncLifetime
{
    private const string Site = "plant-m";
    private const string CloudUser = "domio-cloud";
    private const string SiloClientId = "domio-cloud-silo-0";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly string _victimPassword = EdgeCredentials.NewPassword();
    private readonly string _attackerPassword = EdgeCredentials.NewPassword();
    private readonly string _cloudPassword = EdgeCredentials.NewPassword();
    private readonly List<IMqttClient> _clients = [];
    private MosquittoBroker? _broker;

    public async ValueTask InitializeAsync()
    {
        var (passwords, cloudPasswords, acl) = MosquittoConfiguration.Render(
            [new EdgeRegistration(Site, "victim", EdgeCredentials.Hash(_victimPassword), Disabled: false), new EdgeRegistration(Site, "attacker", EdgeCredentials.Hash(_attackerPassword), Disabled: false)],
            CloudUser,
            EdgeCredentials.Hash(_cloudPassword));
        _broker = await MosquittoBroker.StartAsync(passwords, acl, TestContext.Current.CancellationToken, cloudPasswords: cloudPasswords);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Connect_EdgeCredentialsWithTheSilosOrAnotherEdgesClientId_NobodyIsTakenOverAndForgedCommandsNeverArrive()
    {
        var silo = await ConnectAsync(_broker!.CloudPort!.Value, SiloClientId, CloudUser, _cloudPassword);
        var victim = await ConnectAsync(_broker.Port, $"{Site}/victim", $"{Site}/victim", _victimPassword);
        var victimConfigurations = await CommandSubscription.SubscribeAsync(victim, EdgeTopics.Configuration(Site, "victim"), EdgeConfiguration.Parser);

        var asSilo = await ConnectAsync(_broker.Port, SiloClientId, $"{Site}/attacker", _attackerPassword);
        var takenOver = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        asSilo.DisconnectedAsync += e =>
        {
            takenOver.TrySetResult(e.Reason);
            return Task.CompletedTask;
        };
        var asVictim = await ConnectAsync(_broker.Port, $"{Site}/victim", $"{Site}/attacker", _attackerPassword);
        await CommandSubscription.SubscribeAsync(asVictim, EdgeTopics.Acknowledgement(Site, "attacker"), TelemetryAck.Parser);
        await TryPublishAsync(asVictim, EdgeTopics.Acknowledgement(Site, "attacker"), new TelemetryAck { SchemaVersion = 1, Site = Site, Edge = "attacker", Sequence = ulong.MaxValue });
        var forger = await ConnectAsync(_broker.Port, $"{Site}/victim", $"{Site}/attacker", _attackerPassword);
        await TryPublishAsync(forger, EdgeTopics.Configuration(Site, "victim"), new EdgeConfiguration { SchemaVersion = 1, Site = Site, Edge = "victim", Version = ulong.MaxValue });
        // The attacker's persistent session keeps its subscription; whatever reached it is delivered to its next connection.
        var attacker = new MqttClientFactory().CreateMqttClient();
        _clients.Add(attacker);
        var attackerAcks = CommandSubscription.Listen(attacker, EdgeTopics.Acknowledgement(Site, "attacker"), TelemetryAck.Parser);
        Assert.Equal(MqttClientConnectResultCode.Success, (await attacker.ConnectAsync(Options(_broker.Port, $"{Site}/attacker", $"{Site}/attacker", _attackerPassword), TestContext.Current.CancellationToken)).ResultCode);

        // The silo's own commands, sent after the forged ones (and failing if the silo had been thrown out), are the
        // first to arrive: the forged ones never do.
        await PublishAsync(silo, EdgeTopics.Acknowledgement(Site, "attacker"), new TelemetryAck { SchemaVersion = 1, Site = Site, Edge = "attacker", Sequence = 3 });
        await PublishAsync(silo, EdgeTopics.Configuration(Site, "victim"), new EdgeConfiguration { SchemaVersion = 1, Site = Site, Edge = "victim", Version = 1 });
        Assert.Equal(3ul, (await attackerAcks.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken)).Sequence);
        Assert.Equal(1ul, (await victimConfigurations.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken)).Version);
        Assert.True(silo.IsConnected && victim.IsConnected);
        // Every attacker connection got its own client id (its user name), so each took over the one before, and only that
        // (Mosquitto 2.0.11 closes the old connection without a DISCONNECT, so the reason reads as a normal disconnection).
        await takenOver.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Connect_EdgeCredentialsOnTheSilosListener_Refused()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);

        var result = await client.ConnectAsync(Options(_broker!.CloudPort!.Value, SiloClientId, $"{Site}/attacker", _attackerPassword), TestContext.Current.CancellationToken);

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
    }

    private static MqttClientOptions Options(int port, string clientId, string user, string password) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithCredentials(user, password)
        .WithCleanStart(false)
        .WithSessionExpiryInterval(3600)
        .Build();

    private async Task<IMqttClient> ConnectAsync(int port, string clientId, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var result = await client.ConnectAsync(Options(port, clientId, user, password), TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    /// <summary>A forged publish: Mosquitto answers it Not authorized (0x87); the connection was seen to drop right after.</summary>
    private static async Task TryPublishAsync(IMqttClient client, string topic, IMessage message)
    {
        try
        {
            await PublishAsync(client, topic, message);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Refused or dropped: either way it must not arrive, which the caller checks.
        }
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, IMessage message) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(message.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
}
