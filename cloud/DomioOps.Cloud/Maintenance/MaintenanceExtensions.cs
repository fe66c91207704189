using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Maintenance.Work;

namespace DomioOps.Cloud.Maintenance;

internal static class MaintenanceExtensions
{
    /// <summary>Failure alerts, work orders, the scoring of the active models and the notifications.</summary>
    public static IHostApplicationBuilder AddMaintenance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MaintenanceAlerts>();
        builder.Services.AddSingleton<WorkOrders>();
        builder.Services.AddSingleton(sp => new ModelRegistry(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new MachineFeatures(sp.GetRequiredService<HistoryDatabase>().DataSource));
        builder.Services.AddSingleton<ModelActivation>();
        builder.Services.AddSingleton<AlertScoring>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertScoring>());
        return builder;
    }
}
