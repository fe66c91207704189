using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Office.Templates;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>What the office asks for: a kind of generated document and its language.</summary>
internal sealed record QuoteDocumentRequest(string? Kind, string? Lang);

/// <summary>
/// The documents generated from a quote with the admin's templates (<see cref="DocumentTemplates"/>): the quote itself,
/// and once it is accepted the order confirmation, the delivery note and the invoice. Each is stored with the quote's
/// project's documents (a new version when generated again with the same number), from the quote's current revision.
/// </summary>
internal sealed class QuoteDocuments(Quotes quotes, Projects.Projects projects, Customers.Customers customers, DocumentTemplates templates, TimeProvider time)
{
    public async Task<OfficeChange<GeneratedDocument>> GenerateAsync(AuditActor actor, string by, long quoteId, QuoteDocumentRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TemplateKinds.IsKind(request.Kind))
        {
            errors["kind"] = [$"kind is one of {string.Join(", ", TemplateKinds.Kinds)}; got '{request.Kind}'."];
        }

        var lang = string.IsNullOrWhiteSpace(request.Lang) ? "ru" : request.Lang.Trim();
        if (lang is not ("ru" or "en"))
        {
            errors["lang"] = [$"lang is ru or en; got '{request.Lang}'."];
        }

        if (errors.Count > 0)
        {
            return OfficeChange<GeneratedDocument>.Invalid(errors);
        }

        if (await quotes.GetAsync(quoteId, ct) is not { } quote || await customers.GetAsync(quote.CustomerId, ct) is not { } customer)
        {
            return OfficeChange<GeneratedDocument>.Missing;
        }

        if (request.Kind != TemplateKinds.Quote && quote.OrderId is null)
        {
            return new(null, Conflict: $"A {request.Kind} is for an accepted quote; quote {quoteId} is {quote.Status}: accept it first.");
        }

        var project = await projects.GetAsync(quote.ProjectId, ct);
        var revision = quote.Current;
        var number = request.Kind == TemplateKinds.Quote ? $"{quote.Id}-{revision.Revision}" : $"{quote.OrderId}";
        var discount = revision.DiscountPercent > 0
            ? (lang == "ru" ? $"Скидка {revision.DiscountPercent:0.##} %: {revision.Totals.Discount:0.00}" : $"Discount {revision.DiscountPercent:0.##} %: {revision.Totals.Discount:0.00}")
            : null;
        var model = new DocumentModel(
            new CustomerDetails(customer.Name, customer.LegalName, customer.TaxId, customer.Address, customer.Email, customer.Phone),
            project is null ? null : new ProjectDetails(project.Title, project.Address),
            number,
            DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime),
            [.. revision.Lines.Select(l => new DocumentLine(l.Description, l.Quantity, l.Unit, l.UnitPrice, l.DiscountPercent, l.Amount))],
            new DocumentTotals(revision.Totals.Net, revision.VatPercent, revision.Totals.Vat, revision.Totals.Total),
            discount);
        return new(await templates.GenerateAsync(actor, by, request.Kind!, lang, "project", quote.ProjectId, model,
            $"quote {quote.Id} revision {revision.Revision}", ct));
    }
}
