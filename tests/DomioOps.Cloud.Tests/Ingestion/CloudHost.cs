using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
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

    public static readonly TimeSpan ReorderWindow = TimeSpan.FromSeconds(1);

    private PostgresServer? postgres;
    private IHost? host;

    public int BrokerPort { get; } = FreePort.Next();

    public int BrokerTlsPort { get; } = FreePort.Next();

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public IGrainFactory Grains => host!.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => host!.Services;

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
            ["Broker:TlsPort"] = $"{BrokerTlsPort}",
            ["Broker:CertificatePath"] = Certificates.ServerCertificatePath,
            ["Broker:CertificateKeyPath"] = Certificates.ServerKeyPath,
            ["Ingestion:ReorderWindow"] = ReorderWindow.ToString(),
        });
        builder.AddCluster();
        builder.AddIngestion();
        builder.AddMachines();
        builder.AddHistory();
        host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Registers <paramref name="edge"/> of <paramref name="site"/> in the edge registry; returns its new password.</summary>
    public async Task<string> RegisterEdgeAsync(string site, string edge)
    {
        var password = EdgeCredentials.NewPassword();
        await Grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Register(site, edge, EdgeCredentials.Hash(password));
        return password;
    }

    /// <summary>An MQTT 5 client connected to the embedded broker as <c>{site}/{edge}</c>, as an edge would be.</summary>
    /// <param name="trustedCa">Connect over TLS trusting only this CA (PEM); plain TCP when null.</param>
    public async Task<IMqttClient> ConnectEdgeAsync(string userName, string password, CancellationToken cancellationToken, string? trustedCa = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", trustedCa is null ? BrokerPort : BrokerTlsPort)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId(userName)
                .WithCredentials(userName, password);
            if (trustedCa is not null)
            {
                var trust = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                trust.ImportFromPemFile(trustedCa);
                options.WithTlsOptions(tls => tls.UseTls().WithTargetHost("localhost").WithTrustChain(trust));
            }

            var result = await client.ConnectAsync(options.Build(), cancellationToken);
            return result.ResultCode == MqttClientConnectResultCode.Success
                ? client
                : throw new InvalidOperationException($"the broker refused {userName}: {result.ResultCode}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
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

        Certificates.Dispose();
    }
}
