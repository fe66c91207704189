using DomioOps.Cloud.Cluster;
using DomioOps.Testing;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Orleans.Configuration;
using Orleans.Placement;

namespace DomioOps.Cloud.Tests.Cluster;

/// <summary>A silo wired by the cloud's own <see cref="ClusterExtensions.AddCluster"/> from <c>Silo:*</c> settings, on 127.0.0.1.</summary>
internal sealed class ClusterSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>The settings of a silo of <paramref name="clusterId"/> on free loopback ports, with the certificate and CA of <paramref name="tls"/> when given.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, string clusterId, TestCertificates? tls) =>
        new()
        {
            ["Silo:ConnectionString"] = connectionString,
            ["Silo:ClusterId"] = clusterId,
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Silo:Tls:CertificatePath"] = tls?.ServerCertificatePath,
            ["Silo:Tls:KeyPath"] = tls?.ServerKeyPath,
            ["Silo:Tls:CaCertificatePath"] = tls?.CaPath,
        };

    /// <summary>Builds the silo host without starting it; an <paramref name="intruder"/> gives up joining after one round of probes instead of 5 minutes.</summary>
    public static IHost Build(Dictionary<string, string?> settings, bool intruder = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCluster();
        if (intruder)
        {
            builder.Services.Configure<ClusterMembershipOptions>(membership => membership.MaxJoinAttemptTime = TimeSpan.FromSeconds(1));
        }

        return builder.Build();
    }

    public static async Task<ClusterSilo> StartAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken, bool intruder = false)
    {
        var host = Build(settings, intruder);
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            // A silo that failed to start (to join, say) may have started its grain directory: end its loop.
            await SiloHosts.AbandonAsync(host);
            throw;
        }

        return new ClusterSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await SiloHosts.StopAsync(_host, TimeSpan.FromSeconds(30));
    }
}

public interface ISiloProbeGrain : IGrainWithStringKey
{
    /// <summary>The silo this activation lives on.</summary>
    Task<string> Silo();
}

/// <summary>Activated on the silo whose client calls it first, so a test can place it and then call it from another silo.</summary>
[PreferLocalPlacement]
public sealed class SiloProbeGrain : Grain, ISiloProbeGrain
{
    public Task<string> Silo() => Task.FromResult(RuntimeIdentity);
}
