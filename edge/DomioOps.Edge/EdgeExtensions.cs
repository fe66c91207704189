using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;
using DomioOps.Edge.Publishing;
using DomioOps.Edge.StoreAndForward;

using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DomioOps.Edge;

internal static class EdgeExtensions
{
    /// <summary>The validated <see cref="EdgeOptions"/>: a wrong configuration stops the start with every error listed.</summary>
    public static IHostApplicationBuilder AddEdgeOptions(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration["ConfigurationFile"] is { Length: > 0 } file)
        {
            // The site's own file (--ConfigurationFile /etc/domio-edge/edge.json): above appsettings.json, below the
            // environment and the command line, and reloaded when it changes like appsettings.json.
            var sources = builder.Configuration.Sources;
            var json = new JsonConfigurationSource { Path = Path.GetFullPath(file), Optional = false, ReloadOnChange = true };
            json.ResolveFileProvider();
            var lastJson = sources.Select((source, index) => (source, index)).LastOrDefault(s => s.source is JsonConfigurationSource).index;
            sources.Insert(lastJson + 1, json);
        }

        builder.Services.AddSingleton<IValidateOptions<EdgeOptions>, EdgeOptionsValidation>();
        builder.Services.AddOptions<EdgeOptions>().Configure<IConfiguration>(EdgeSection.Bind).ValidateOnStart();

        // ValidateOnStart builds and validates the options through IOptionsMonitor, whose cache is not IOptions's:
        // IOptions hands out that instance, so the Edge section is read and validated once.
        builder.Services.AddSingleton<IOptions<EdgeOptions>>(services => Options.Create(services.GetRequiredService<IOptionsMonitor<EdgeOptions>>().CurrentValue));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddSingleton<DeviceConfiguration>();
        return builder;
    }

    public static IHostApplicationBuilder AddStoreAndForward(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services =>
        {
            var edge = services.GetRequiredService<IOptions<EdgeOptions>>().Value;
            return new SampleQueue(
                Path.Combine(edge.DataDirectory, "queue.db"),
                edge.Queue,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<EdgeMetrics>());
        });
        return builder;
    }

    public static IHostApplicationBuilder AddAcquisition(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeviceStatusBoard>();
        builder.Services.AddSingleton<AcquisitionContext>();
        builder.Services.AddHostedService<DeviceAcquisition>();
        builder.Services.AddHealthChecks().AddCheck<DeviceHealthCheck>("devices", HealthStatus.Degraded);
        return builder;
    }

    public static IHostApplicationBuilder AddPublishing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<TelemetryPublisher>();
        return builder;
    }
}
