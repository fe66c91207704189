using System.Net;

using DomioOps.Cloud.Storage;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

using Orleans.Configuration;

namespace DomioOps.Cloud.Cluster;

internal static class ClusterExtensions
{
    /// <summary>Orleans' service id: the same for every cluster of DomioOps (deploy/kubernetes labels the silos' pods with it).</summary>
    public const string ServiceId = "domio";

    /// <summary>One Orleans silo in this process, clustered and persisted on PostgreSQL, its ports on a private address and under mutual TLS.</summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres");
        var options = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = ServiceId;
            });
            // From the validated options at start, so a wrong address or certificate is reported by ValidateOnStart, naming its key.
            silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<SiloOptions>>((endpoints, siloOptions) => ConfigureEndpoints(endpoints, siloOptions.Value));
            if (options.Tls.IsConfigured)
            {
                silo.Services.AddSingleton(services => ClusterTls.Load(services.GetRequiredService<IOptions<SiloOptions>>().Value.Tls, services.GetRequiredService<TimeProvider>()));
                silo.Services.AddOptions<SiloConnectionOptions>().Configure<ClusterTls>((connections, tls) => tls.Apply(connections));
            }

            KubernetesPod.Apply(silo.Services, options);
            silo.UsePostgres(options.ConnectionString);
        });
        return builder;
    }

    private static void ConfigureEndpoints(EndpointOptions endpoints, SiloOptions options)
    {
        var failures = new List<string>();
        var resolved = SiloNetwork.Resolve(options, SiloNetwork.HostAddresses(), failures)
            ?? throw new OptionsValidationException(SiloOptions.Section, typeof(SiloOptions), failures);
        endpoints.AdvertisedIPAddress = resolved.Advertised;
        endpoints.SiloPort = options.SiloPort;
        endpoints.GatewayPort = options.GatewayPort;
        endpoints.SiloListeningEndpoint = new IPEndPoint(resolved.Listen, options.SiloPort);
        endpoints.GatewayListeningEndpoint = new IPEndPoint(resolved.Listen, options.GatewayPort);
    }
}
