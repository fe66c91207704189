using DomioOps.Cloud.Cluster;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Production;

internal static class ProductionExtensions
{
    /// <summary>Work centres, orders with their routings, cut-list import, and the shop floor's queues and actions.</summary>
    public static IHostApplicationBuilder AddProduction(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDbContextPool<ProductionDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<IOptions<SiloOptions>>().Value.ConnectionString));
        builder.Services.AddOptions<ProductionOptions>().BindConfiguration(ProductionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProductionOptions>, ProductionOptionsValidator>();
        builder.Services.AddHostedService<WorkCentreSeeding>();
        builder.Services.AddSingleton<TerminalActionRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TerminalActionRetention>());
        builder.Services.AddSingleton<ShopFloor>();
        builder.Services.AddSingleton<ProductionImport>();
        builder.Services.AddSingleton<RoutingEditor>();
        builder.Services.AddSingleton<WorkCentres>();
        builder.Services.AddSingleton<PartLabels>();
        builder.Services.AddSingleton<ProductionOrders>();
        return builder;
    }
}
