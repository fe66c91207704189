using DomioOps.Cloud.Maintenance.Alerts;
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
        return builder;
    }
}
