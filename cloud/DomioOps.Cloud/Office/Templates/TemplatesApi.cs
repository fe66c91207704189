using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Office.Documents;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Office.Templates;

/// <summary>A template as the editor sends it.</summary>
internal sealed record TemplateDraft(string? Text, string? Note);

/// <summary>A generation request: whose document it becomes, and what it says.</summary>
internal sealed record GenerateRequest(string? OwnerKind, long? OwnerId, DocumentModel? Model, string? Note);

/// <summary>A preview: the rendered HTML (shown by the editor in a sandboxed frame, never as a page of our origin).</summary>
internal sealed record TemplatePreview(string Html);

/// <summary>
/// <c>/api/office/templates</c>: the office (policy <c>Office</c>) lists and reads templates, previews a text with the sample
/// model and generates documents; only administrators (policy <c>Admin</c>) save a new version.
/// </summary>
internal static class TemplatesApi
{
    public const string Path = "/api/office/templates";

    public static IEndpointRouteBuilder MapOfficeTemplatesApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup(Path).WithTags("Office templates");
        var office = templates.MapGroup("").RequireAuthorization(SecurityPolicies.Office);
        office.MapGet("/", async (DocumentTemplates store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        office.MapGet("/{kind}/{culture}", async Task<Results<Ok<TemplateWithHistory>, NotFound>> (string kind, string culture, DocumentTemplates store, CancellationToken ct) =>
            !TemplateKinds.IsKind(kind) || !TemplateKinds.IsCulture(culture)
                ? TypedResults.NotFound()
                : TypedResults.Ok(new TemplateWithHistory(await store.GetAsync(kind, culture, ct), await store.HistoryAsync(kind, culture, ct))));
        // A preview changes nothing: not an audited change.
        office.MapPost("/{kind}/{culture}/preview", async Task<Results<Ok<TemplatePreview>, ValidationProblem>> (string kind, string culture, TemplateDraft draft, DocumentTemplates store) =>
            await store.CheckAsync(kind, culture, draft.Text) is { Count: > 0 } errors
                ? TypedResults.ValidationProblem(errors, title: "The template does not render")
                : TypedResults.Ok(new TemplatePreview(await store.PreviewAsync(kind, culture, draft.Text!)))).WithMetadata(AuditsItself.Instance);
        office.MapPost("/{kind}/{culture}/generate", GenerateAsync).WithMetadata(AuditsItself.Instance);

        templates.MapPut("/{kind}/{culture}", SaveAsync)
            .RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        return app;
    }

    private static async Task<Results<Ok<DocumentTemplate>, ValidationProblem>> SaveAsync(string kind, string culture, TemplateDraft draft, DocumentTemplates store, HttpContext http)
    {
        var actor = AuditActor.From(http);
        var change = await store.SaveAsync(actor, http.User.Identity?.Name ?? actor.Id ?? "unknown", kind, culture, draft.Text, draft.Note?.Trim() is { Length: > 0 } note ? note : null, http.RequestAborted);
        return change.Value is { } saved ? TypedResults.Ok(saved) : TypedResults.ValidationProblem(change.Errors!, title: "The template was not saved");
    }

    private static async Task<Results<Created<GeneratedDocument>, ValidationProblem>> GenerateAsync(string kind, string culture, GenerateRequest request,
        DocumentTemplates store, HttpContext http)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TemplateKinds.IsKind(kind))
        {
            errors["kind"] = [$"kind '{kind}' is not one of {string.Join(", ", TemplateKinds.Kinds)}."];
        }

        if (!TemplateKinds.IsCulture(culture))
        {
            errors["culture"] = [$"culture '{culture}' is not one of {string.Join(", ", TemplateKinds.Cultures)}."];
        }

        if (!DocumentOwners.IsKind(request.OwnerKind))
        {
            errors["ownerKind"] = [$"ownerKind '{request.OwnerKind}' is not one of {string.Join(", ", DocumentOwners.Kinds)}."];
        }

        if (request.OwnerId is not > 0)
        {
            errors["ownerId"] = ["ownerId is the owner's id, a whole number above 0."];
        }

        foreach (var (field, problem) in ModelProblems(request.Model))
        {
            errors[field] = [problem];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "No document was generated");
        }

        var actor = AuditActor.From(http);
        var generated = await store.GenerateAsync(actor, actor.Id ?? "unknown", kind, culture, request.OwnerKind!, request.OwnerId!.Value, request.Model!,
            request.Note?.Trim() is { Length: > 0 } note ? note : null, http.RequestAborted);
        return TypedResults.Created($"{DocumentsApi.Path}/{generated.Document.Id}/versions/{generated.Version}/content", generated);
    }

    /// <summary>The model's missing parts, each named (<c>model.customer.name</c>, <c>model.lines[1].name</c>).</summary>
    private static IEnumerable<(string Field, string Problem)> ModelProblems(DocumentModel? model)
    {
        if (model is null)
        {
            yield return ("model", "model is required: customer, number, date, lines, totals.");
            yield break;
        }

        if (string.IsNullOrWhiteSpace(model.Customer?.Name))
        {
            yield return ("model.customer.name", "The customer's name is required.");
        }

        if (string.IsNullOrWhiteSpace(model.Number) || model.Number.Length > 100)
        {
            yield return ("model.number", "The document's number is 1 to 100 characters.");
        }

        if (model.Totals is null)
        {
            yield return ("model.totals", "The totals are required (net, vatRate, vat, total).");
        }

        if (model.Lines is null or { Count: > 1000 })
        {
            yield return ("model.lines", "lines is a list of at most 1000 lines.");
            yield break;
        }

        for (var i = 0; i < model.Lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(model.Lines[i]?.Name))
            {
                yield return ($"model.lines[{i}].name", "Each line has a name.");
            }
        }
    }
}

/// <summary>The template in use and every saved version.</summary>
internal sealed record TemplateWithHistory(DocumentTemplate Current, IReadOnlyList<DocumentTemplate> Versions);
