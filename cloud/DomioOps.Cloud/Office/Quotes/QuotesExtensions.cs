using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Office.Quotes;

internal static class QuotesExtensions
{
    /// <summary>The office's projects, price lists, quotes, their acceptance into production and the documents generated from them, on the cluster's PostgreSQL.</summary>
    public static IHostApplicationBuilder AddOfficeQuotes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new Projects.Projects(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Planner>()));
        builder.Services.AddSingleton(sp => new Quotes(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<ProductionImport>(), sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<QuoteDocuments>();
        return builder;
    }
}
