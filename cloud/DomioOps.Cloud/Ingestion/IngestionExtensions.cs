using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

using Orleans.Hosting;

namespace DomioOps.Cloud.Ingestion;

internal static class IngestionExtensions
{
    /// <summary>
    /// The edge registry, the broker (embedded, or an external one consumed through a shared subscription)
    /// and the ingestion behind it. Registered after Orleans, so grains are ready first.
    /// </summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidation>();
        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateOnStart();
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IngestionMetrics>();
        builder.Services.AddSingleton<EdgeOwners>();
        builder.Services.AddPlacementDirector<EdgePlacement, EdgePlacementDirector>();
        builder.Services.AddSingleton<TelemetryIngestion>();
        builder.Services.AddSingleton<EdgeConfigurationKey>();
        builder.Services.AddSingleton<EdgeCommands>();
        builder.Services.AddScoped<EdgeAdministration>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EdgeCommands>());
        builder.Services.AddHostedService<EdgeRegistrySeeding>();
        var broker = builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new BrokerOptions();
        if (broker.Mode == BrokerMode.External)
        {
            builder.Services.AddHostedService<SharedSubscriptionConsumer>();
        }
        else
        {
            builder.Services.AddHostedService<EmbeddedBroker>();
        }

        if (!string.IsNullOrEmpty(broker.MosquittoConfigDirectory))
        {
            builder.Services.AddHostedService<MosquittoConfiguration>();
        }

        return builder;
    }
}
