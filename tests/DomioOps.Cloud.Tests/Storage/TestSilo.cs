using System.Net;

using DomioOps.Cloud.Storage;
using DomioOps.Cloud.Tests.Cluster;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Orleans.Configuration;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>A real Orleans silo in this process, wired to PostgreSQL by <see cref="PostgresSiloBuilderExtensions.UsePostgres"/>.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    public const string ServiceId = "domioops-tests";

    public const string DeleteOnClearStorage = "DeleteOnClear";

    private readonly IHost _host;

    private TestSilo(IHost host, SiloErrorLog errors)
    {
        _host = host;
        Errors = errors;
    }

    /// <summary>What this silo logged at Error level or above: SQL that Orleans runs in the background fails only here.</summary>
    public SiloErrorLog Errors { get; }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TestSilo> StartAsync(string connectionString, string clusterId, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var errors = new SiloErrorLog();
        builder.Logging.AddProvider(errors);
        builder.UseOrleans(silo =>
        {
            silo.UsePostgres(connectionString);
            // A second provider, test-only, to drive DeleteStorageKey.
            silo.AddAdoNetGrainStorage(DeleteOnClearStorage, options =>
            {
                options.Invariant = PostgresSiloBuilderExtensions.Invariant;
                options.ConnectionString = connectionString;
                options.DeleteStateOnClear = true;
            });
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next());
            // The silos of a test share one process on a shared, often loaded machine: a probe answered late there is not a
            // dead silo (the defaults declare one dead after three probes of 5 s go unanswered), and these tests are about
            // the PostgreSQL tables, not Orleans' failure detector.
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(15);
                options.NumMissedProbesLimit = 6;
            });
            // Orleans refuses reminder periods under a minute unless told otherwise.
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromMilliseconds(500));
        });

        var host = builder.Build();
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

        return new TestSilo(host, errors);
    }

    public async ValueTask DisposeAsync()
    {
        await SiloHosts.StopAsync(_host, TimeSpan.FromSeconds(30));
    }
}
