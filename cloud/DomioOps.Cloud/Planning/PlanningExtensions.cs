namespace DomioOps.Cloud.Planning;

internal static class PlanningExtensions
{
    /// <summary>The live planner (one per silo), its store and planned maintenance.</summary>
    public static IHostApplicationBuilder AddPlanning(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PlanningOptions>().BindConfiguration(PlanningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PlanningStore>();
        builder.Services.AddSingleton<Planner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Planner>());
        builder.Services.AddSingleton<MaintenanceWindows>();
        return builder;
    }
}
