using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Cluster;
using DomioOps.Testing;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using MQTTnet;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// The cloud's ingestion path in this process, wired as the cloud host wires it: one silo on a private
/// PostgreSQL, the embedded MQTT broker on a free port (in clear, or TLS only: <see cref="TlsCloudHost"/>), and an
/// MQTT 5 client to publish as an edge.
/// </summary>
public class CloudHost : IAsyncLifetime
{
    public const int MaxPayloadBytes = 64 * 1024;

    public const int MaxConnections = 16;

    // Long enough that a loaded machine never lets it pass between a test's publish and its look at the held batch; the
    // test of a hole that never fills waits it out.
    public static readonly TimeSpan ReorderWindow = TimeSpan.FromSeconds(10);

    /// <summary>Long enough that a test sees a batch beyond a hole still waiting, shorter than the reorder window.</summary>
    public static readonly TimeSpan HoldUnacknowledged = TimeSpan.FromSeconds(5);

    /// <summary>Long, so that a test proving a connection is closed at once cannot pass by this timeout.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    private readonly bool _tls;
    private readonly string _keyFolder = Directory.CreateTempSubdirectory("domioops-keys-").FullName;
    private PostgresServer? _postgres;
    private IHost? _host;

    public CloudHost()
        : this(tls: false)
    {
    }

    protected CloudHost(bool tls) => this._tls = tls;

    /// <summary>The plain listener, or with TLS the TLS listener.</summary>
    public int BrokerPort { get; } = FreePort.Next();

    /// <summary>The plain port in the broker's settings, which a TLS-only broker must not open.</summary>
    public int UnusedPlainPort { get; } = FreePort.Next();

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    /// <summary>The file of the key that signs edge configurations.</summary>
    public string ConfigurationKeyPath => Path.Combine(_keyFolder, "edge-configuration.pem");

    public IGrainFactory Grains => _host!.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host!.Services;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var settings = new Dictionary<string, string?>
        {
            ["Silo:ConnectionString"] = _postgres.ConnectionString("domio_ingestion"),
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Port"] = $"{BrokerPort}",
            ["Broker:MaxPayloadBytes"] = $"{MaxPayloadBytes}",
            ["Broker:MaxConnections"] = $"{MaxConnections}",
            ["Broker:ConnectTimeout"] = ConnectTimeout.ToString(),
            ["Broker:ConfigurationKeyPath"] = ConfigurationKeyPath,
            ["Ingestion:ReorderWindow"] = ReorderWindow.ToString(),
            ["Ingestion:HoldUnacknowledged"] = HoldUnacknowledged.ToString(),
        };
        if (_tls)
        {
            settings["Broker:Port"] = $"{UnusedPlainPort}";
            settings["Broker:TlsPort"] = $"{BrokerPort}";
            settings["Broker:CertificatePath"] = Certificates.ServerCertificatePath;
            settings["Broker:CertificateKeyPath"] = Certificates.ServerKeyPath;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCluster();
        builder.AddIngestion();
        builder.AddMachines();
        builder.AddHistory();
        _host = builder.Build();
        await _host.StartAsync(TestContext.Current.CancellationToken);
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
    /// <param name="clientId">The client id; the user name, as an edge's, when null.</param>
    public async Task<IMqttClient> ConnectEdgeAsync(string userName, string password, CancellationToken cancellationToken, string? trustedCa = null, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", BrokerPort)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId(clientId ?? userName)
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
        if (_host is not null)
        {
            await SiloHosts.StopAsync(_host);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Certificates.Dispose();
        Directory.Delete(_keyFolder, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>A <see cref="CloudHost"/> whose broker listens only with TLS (on <see cref="CloudHost.BrokerPort"/>).</summary>
public sealed class TlsCloudHost() : CloudHost(tls: true);
