using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DomioOps.Cloud.Ingestion;

internal static class IngestionExtensions
{
    /// <summary>The broker (embedded, or an external one consumed through a shared subscription) and the ingestion behind it. Registered after Orleans, so grains are ready first.</summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IngestionMetrics>();
        builder.Services.AddSingleton<TelemetryIngestion>();
        if (builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>()?.Mode == BrokerMode.External)
        {
            builder.Services.AddHostedService<SharedSubscriptionConsumer>();
        }
        else
        {
            builder.Services.AddHostedService<EmbeddedBroker>();
        }

        return builder;
    }
}
