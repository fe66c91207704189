using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;

namespace DomioOps.Cloud.Office.Materials;

internal static class MaterialsExtensions
{
    /// <summary>Materials and purchasing: the stock with its ledger and reservations, suppliers and purchase orders, on the cluster's PostgreSQL.</summary>
    public static IHostApplicationBuilder AddOfficeMaterials(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new MaterialStock(
            sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new PurchaseOrders(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<MaterialStock>(),
            sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
