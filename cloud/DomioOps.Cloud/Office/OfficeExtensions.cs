using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Materials;

namespace DomioOps.Cloud.Office;

internal static class OfficeExtensions
{
    /// <summary>The office: customers and their contacts, on the cluster's PostgreSQL, and the one search box.</summary>
    public static IHostApplicationBuilder AddOffice(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new Customers.Customers(
            sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<Search.OfficeSearch>();
        builder.AddOfficeMaterials();
        return builder;
    }
}
