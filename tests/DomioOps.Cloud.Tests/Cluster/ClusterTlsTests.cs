using System.Net;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Cloud.Tests.Storage;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Npgsql;

using Orleans.Configuration;
using Orleans.Runtime.MembershipService;

namespace DomioOps.Cloud.Tests.Cluster;

/// <summary>
/// Silos wired by <c>AddCluster</c> with <c>Silo:Tls</c>: members of the cluster CA form a cluster over mutual TLS; a silo
/// holding another CA's certificate and a silo speaking plain Orleans are refused; a gateway client with a certificate is served.
/// </summary>
public sealed class ClusterTlsTests(ClusterTlsTests.Environment environment) : IClassFixture<ClusterTlsTests.Environment>
{
    private const int Active = 3; // Orleans SiloStatus.Active in OrleansMembershipTable.Status

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AddCluster_TwoSilosWithClusterCertificates_FormOneClusterAndACallCrossesSilos()
    {
        var ct = TestContext.Current.CancellationToken;
        var clusterId = NewClusterId();
        var firstSettings = Settings(clusterId, environment.Cluster);
        await using var first = await ClusterSilo.StartAsync(firstSettings, ct);
        await using var second = await ClusterSilo.StartAsync(Settings(clusterId, environment.Cluster), ct);

        var hosts = await Eventually.ReturnsAsync(
            () => first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true), h => h.Count == 2, Patience, ct);
        Assert.Equal(new HashSet<SiloAddress> { first.Address, second.Address }, hosts.Keys.ToHashSet());

        // Placed on the second silo by its own call, then called from the first: the call crosses silos over TLS.
        var onSecond = await second.Grains.GetGrain<ISiloProbeGrain>("placed-on-second").Silo();
        var onFirst = await first.Grains.GetGrain<ISiloProbeGrain>("placed-on-first").Silo();
        Assert.NotEqual(onFirst, onSecond);
        Assert.Equal(onSecond, await first.Grains.GetGrain<ISiloProbeGrain>("placed-on-second").Silo());

        // Both ports are bound to the advertised loopback address, not to every interface.
        var endpoints = first.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, int.Parse(firstSettings["Silo:SiloPort"]!, System.Globalization.CultureInfo.InvariantCulture)), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, int.Parse(firstSettings["Silo:GatewayPort"]!, System.Globalization.CultureInfo.InvariantCulture)), endpoints.GatewayListeningEndpoint);
    }

    [Fact]
    public async Task AddCluster_SiloWithCertificateOfAnotherCa_IsRefusedAndNeverBecomesActive()
    {
        var ct = TestContext.Current.CancellationToken;
        var clusterId = NewClusterId();
        await using var member = await ClusterSilo.StartAsync(Settings(clusterId, environment.Cluster), ct);

        // The intruder trusts the cluster CA as well as its own, so only the member's check of the intruder's
        // certificate stands between them.
        var intruder = Settings(clusterId, environment.Foreign);
        intruder["Silo:Tls:CaCertificatePath"] = environment.BothCasPath;
        await Assert.ThrowsAsync<OrleansClusterConnectivityCheckFailedException>(() => ClusterSilo.StartAsync(intruder, ct, intruder: true));

        await AssertOnlyMemberActiveAsync(member, clusterId, ct);
    }

    [Fact]
    public async Task AddCluster_PlaintextSilo_IsRefusedAndNeverBecomesActive()
    {
        var ct = TestContext.Current.CancellationToken;
        var clusterId = NewClusterId();
        await using var member = await ClusterSilo.StartAsync(Settings(clusterId, environment.Cluster), ct);

        // On loopback a silo may run without TLS; its plain Orleans preamble reaches a TLS port and is dropped.
        await Assert.ThrowsAsync<OrleansClusterConnectivityCheckFailedException>(() => ClusterSilo.StartAsync(Settings(clusterId, tls: null), ct, intruder: true));

        await AssertOnlyMemberActiveAsync(member, clusterId, ct);
    }

    [Fact]
    public async Task Gateway_ClientWithClusterCertificate_CallsGrainsOverTls()
    {
        var ct = TestContext.Current.CancellationToken;
        var clusterId = NewClusterId();
        var settings = Settings(clusterId, environment.Cluster);
        await using var member = await ClusterSilo.StartAsync(settings, ct);
        var gateway = new IPEndPoint(IPAddress.Loopback, int.Parse(settings["Silo:GatewayPort"]!, System.Globalization.CultureInfo.InvariantCulture));

        // (A client without a certificate of the cluster CA is refused by the same middleware as a silo is above, but
        // the Orleans client retries its gateway for three minutes before it says so.)
        using var client = await StartClientAsync(gateway, clusterId, environment.Cluster, ct);

        Assert.Equal(member.Address.ToString(), await client.Services.GetRequiredService<IClusterClient>().GetGrain<ISiloProbeGrain>("from-a-client").Silo());
        await client.StopAsync(ct);
    }

    private static async Task<IHost> StartClientAsync(IPEndPoint gateway, string clusterId, TestCertificates tls, CancellationToken ct)
    {
        var host = ClientHost(gateway, clusterId, tls);
        await host.StartAsync(ct);
        return host;
    }

    private static IHost ClientHost(IPEndPoint gateway, string clusterId, TestCertificates tls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway);
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = "domio";
            });
            var authority = X509CertificateLoader.LoadCertificateFromFile(tls.CaPath);
            client.UseTls(X509Certificate2.CreateFromPemFile(tls.ServerCertificatePath, tls.ServerKeyPath), options =>
                options.RemoteCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                });
        });
        return builder.Build();
    }

    /// <summary>The member sees only itself, and the intruder, which reached the membership table, is not Active there.</summary>
    private async Task AssertOnlyMemberActiveAsync(ClusterSilo member, string clusterId, CancellationToken ct)
    {
        var hosts = await member.Grains.GetGrain<IManagementGrain>(0).GetHosts(true, ct);
        Assert.Equal([member.Address], hosts.Keys);

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        await connection.OpenAsync(ct);
        await using var rows = new NpgsqlCommand("SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster ORDER BY Status", connection);
        rows.Parameters.AddWithValue("cluster", clusterId);
        var statuses = new List<int>();
        await using (var reader = await rows.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                statuses.Add(reader.GetInt32(0));
            }
        }

        Assert.Equal(2, statuses.Count);
        Assert.Equal(1, statuses.Count(s => s == Active));
    }

    private Dictionary<string, string?> Settings(string clusterId, TestCertificates? tls) => ClusterSilo.Settings(environment.ConnectionString, clusterId, tls);

    private static string NewClusterId() => $"tls-{Guid.NewGuid():N}";

    /// <summary>PostgreSQL for membership, the cluster CA with its silo certificate, and a foreign CA with one of its own.</summary>
    public sealed class Environment : IAsyncLifetime
    {
        private PostgresServer? _postgres;

        public TestCertificates Cluster { get; } = TestCertificates.Create();

        public TestCertificates Foreign { get; } = TestCertificates.Create();

        public string ConnectionString { get; private set; } = "";

        /// <summary>Both CAs in one PEM file.</summary>
        public string BothCasPath => Path.Combine(Foreign.Folder, "both-cas.pem");

        public async ValueTask InitializeAsync()
        {
            File.WriteAllText(BothCasPath, File.ReadAllText(Foreign.CaPath) + "\n" + File.ReadAllText(Cluster.CaPath) + "\n");
            _postgres = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);
            ConnectionString = _postgres.ConnectionString("domio_cluster_tls");
        }

        public async ValueTask DisposeAsync()
        {
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }

            Cluster.Dispose();
            Foreign.Dispose();
        }
    }
}
