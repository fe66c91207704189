using DomioOps.Cloud.History;

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using OpenTelemetry.Metrics;

namespace DomioOps.Cloud.Office.Documents;

public static class DocumentsExtensions
{
    /// <summary>
    /// Office documents: options (section <c>Office:Documents</c>, validated at start), the store on the cluster's
    /// database, text extraction in the background and its meter. Calling it twice registers once.
    /// </summary>
    public static WebApplicationBuilder AddOfficeDocuments(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(DocumentStore)))
        {
            return builder;
        }

        services.AddOptions<DocumentOptions>().BindConfiguration(DocumentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DocumentOptions>, DocumentOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DocumentStore(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<Audit.AuditTrail>(),
            sp.GetRequiredService<IOptions<DocumentOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TextExtractor>();
        services.AddSingleton<DocumentMetrics>();
        services.AddHostedService<DocumentTextExtraction>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(DocumentMetrics.MeterName));
        return builder;
    }
}
