namespace DomioOps.Cloud.Oee;

internal static class OeeExtensions
{
    /// <summary>OEE: the shift store and its recomputation as samples arrive, and the query the API and pages read.</summary>
    public static IHostApplicationBuilder AddOee(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OeeOptions>().BindConfiguration(OeeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OeeShifts>();
        builder.Services.AddSingleton<OeeRecomputation>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OeeRecomputation>());
        builder.Services.AddScoped<OeeQuery>();
        return builder;
    }
}
