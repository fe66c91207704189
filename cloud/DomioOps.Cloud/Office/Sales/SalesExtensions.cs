using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;

namespace DomioOps.Cloud.Office.Sales;

internal static class SalesExtensions
{
    /// <summary>The office's sales: pipelines and deals, activities and their reminders, the customer timeline, the live boards' feed.</summary>
    public static IHostApplicationBuilder AddOfficeSales(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SalesChanges>();
        builder.Services.AddSingleton<SalesFeedPublisher>();
        builder.Services.AddHostedService<SalesFeed>();
        builder.Services.AddSingleton(sp => new Deals(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<SalesFeedPublisher>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new Activities(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<SalesFeedPublisher>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new CustomerTimeline(sp.GetRequiredService<HistoryDatabase>().DataSource));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ActivityReminders>(sp, sp.GetRequiredService<HistoryDatabase>().DataSource));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ActivityReminders>());
        return builder;
    }
}
