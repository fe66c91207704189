using System.Globalization;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

using Serilog;

namespace DomioOps.ServiceDefaults;

/// <summary>
/// Serilog, health endpoints and OpenTelemetry metrics with a Prometheus endpoint: the same on every
/// long-running DomioOps process.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks tagged with this take part in <c>/health/live</c>; every check takes part in <c>/health/ready</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>Answers while the process runs (liveness probes).</summary>
    public const string LivenessPath = "/health/live";

    /// <summary>Answers healthy when every health check does (readiness probes).</summary>
    public const string ReadinessPath = "/health/ready";

    /// <summary>Adds logging, health checks and metrics. <paramref name="meterNames"/> are the component meters to export.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName, params string[] meterNames)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", serviceName)
            .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Service} {SourceContext}: {Message:lj}{NewLine}{Exception}"));

        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LiveTag]);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(meterNames)
                .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Maps <c>/health/live</c>, <c>/health/ready</c> and the Prometheus scrape endpoint <c>/metrics</c>.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapHealthChecks(ReadinessPath).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}
