using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.History;

internal static class HistoryExtensions
{
    /// <summary>Telemetry history in PostgreSQL (writer, queries, partition maintenance) and the optional line-protocol sink.</summary>
    public static IHostApplicationBuilder AddHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>()
            .BindConfiguration(HistoryOptions.Section)
            .PostConfigure<IOptions<SiloOptions>>((history, silo) =>
            {
                if (string.IsNullOrWhiteSpace(history.ConnectionString))
                {
                    history.ConnectionString = silo.Value.ConnectionString;
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HistoryOptions>, HistoryOptionsValidator>();
        builder.Services.AddSingleton<HistoryMetrics>();
        builder.Services.AddSingleton<HistoryDatabase>();
        builder.Services.AddSingleton<HistoryQuery>();
        builder.Services.AddSingleton<TelemetryHistory>();
        builder.Services.AddSingleton<LineProtocolSink>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LineProtocolSink>());
        builder.Services.AddSingleton<HistoryMaintenance>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HistoryMaintenance>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
