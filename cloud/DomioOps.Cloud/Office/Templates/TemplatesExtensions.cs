using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Office.Documents;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Templates;

public static class TemplatesExtensions
{
    /// <summary>Document templates (with the documents store they write into) and our company's details (section <c>Office:Company</c>).</summary>
    public static WebApplicationBuilder AddOfficeTemplates(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddOfficeDocuments();
        builder.Services.AddOptions<CompanyOptions>().BindConfiguration(CompanyOptions.Section)
            .Validate(c => !string.IsNullOrWhiteSpace(c.Name), $"{CompanyOptions.Section}:Name is required: our company's name as documents print it.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TemplateRenderer>();
        builder.Services.AddSingleton<DocumentPreview>();
        builder.Services.AddSingleton(sp => new DocumentTemplates(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<TemplateRenderer>(),
            sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<IOptionsMonitor<CompanyOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
