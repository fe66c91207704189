using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using MQTTnet;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// The cloud's ingestion path in this process, wired as the cloud host wires it: one silo on a private
/// PostgreSQL, the embedded MQTT broker on a free port, and an MQTT 5 client to publish as an edge.
/// </summary>
public sealed class CloudHost : IAsyncLifetime
{
    public const int MaxPayloadBytes = 64 * 1024;

    private PostgresServer? postgres;
    private IHost? host;

    public int BrokerPort { get; } = FreePort.Next();

    public IGrainFactory Grains => host!.Services.GetRequiredService<IGrainFactory>();

    public async ValueTask InitializeAsync()
    {
        postgres = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:ConnectionString"] = postgres.ConnectionString("domio_ingestion"),
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Port"] = $"{BrokerPort}",
            ["Broker:MaxPayloadBytes"] = $"{MaxPayloadBytes}",
        });
        builder.AddCluster();
        builder.AddIngestion();
        builder.Services.AddSignalR();
        host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>An MQTT 5 client connected to the embedded broker, as an edge would be.</summary>
    public async Task<IMqttClient> ConnectEdgeAsync(string clientId, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", BrokerPort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .Build(), cancellationToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}
