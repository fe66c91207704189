using System.Net;

using DomioOps.Cloud.Storage;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DomioOps.Cloud.Cluster;

internal static class ClusterExtensions
{
    /// <summary>One Orleans silo in this process, clustered and persisted on PostgreSQL.</summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres");
        var options = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleans(silo =>
        {
            silo.Configure<Orleans.Configuration.ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = "domio";
            });
            if (string.IsNullOrEmpty(options.AdvertisedAddress))
            {
                silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort);
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            }

            silo.UsePostgres(options.ConnectionString);
        });
        return builder;
    }
}
