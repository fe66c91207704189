using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Office.Projects;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// <c>/api/office/projects</c>, <c>/api/office/price-lists</c>, <c>/api/office/quotes</c>: projects, their quotes (lines,
/// revisions, a cut list, the PDF) and acceptance into production. Read: <c>ProductionOffice</c>; change: <c>Office</c>.
/// </summary>
internal static class QuotesApi
{
    /// <summary>The largest cut list a quote takes (the same order of size the production import takes).</summary>
    public const long MaxCutListBytes = 20 * 1024 * 1024;

    public static IEndpointRouteBuilder MapOfficeQuotesApi(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/office/projects").WithTags("Office");
        var readProjects = projects.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        readProjects.MapGet("/", async Task<Results<Ok<ProjectPage>, ValidationProblem>> (string? q, string? status, long? customerId, int? page, int? pageSize,
            Projects.Projects list, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            return ProjectQuery.Parse(q, status, customerId, page, pageSize, errors) is { } query
                ? TypedResults.Ok(await list.ListAsync(query, ct))
                : TypedResults.ValidationProblem(errors, title: "The project query is not valid.");
        });
        readProjects.MapGet("/{id:long}", async Task<Results<Ok<ProjectView>, NotFound>> (long id, Projects.Projects list, Quotes quotes, CancellationToken ct) =>
            await list.GetAsync(id, ct) is { } project ? TypedResults.Ok(new ProjectView(project, await quotes.ListForProjectAsync(id, ct))) : TypedResults.NotFound());
        readProjects.MapGet("/{id:long}/production", async Task<Results<Ok<IReadOnlyList<ProjectProduction>>, NotFound>> (long id, Projects.Projects list, CancellationToken ct) =>
            await list.GetAsync(id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await list.ProductionAsync(id, ct)));

        var changeProjects = projects.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        changeProjects.MapPost("/", async Task<Results<Created<Project>, ValidationProblem>> (ProjectDraft draft, Projects.Projects list, HttpContext http) =>
        {
            var change = await list.CreateAsync(AuditActor.From(http), OfficeApi.Who(http), draft, http.RequestAborted);
            return change.Value is { } project
                ? TypedResults.Created($"/api/office/projects/{project.Id}", project)
                : TypedResults.ValidationProblem(change.Errors!, title: "The project was not created.");
        });
        changeProjects.MapPut("/{id:long}", async Task<Results<Ok<Project>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, ProjectDraft draft, Projects.Projects list, HttpContext http) =>
            Answer(await list.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The project was not saved."));

        app.MapGet("/api/office/price-lists", async (Quotes quotes, CancellationToken ct) => TypedResults.Ok(await quotes.PriceListsAsync(ct)))
            .WithTags("Office").RequireAuthorization(SecurityPolicies.ProductionOffice);

        var quotesGroup = app.MapGroup("/api/office/quotes").WithTags("Office");
        var read = quotesGroup.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        read.MapGet("/{id:long}", async Task<Results<Ok<Quote>, NotFound>> (long id, Quotes quotes, CancellationToken ct) =>
            await quotes.GetAsync(id, ct) is { } quote ? TypedResults.Ok(quote) : TypedResults.NotFound());
        read.MapGet("/{id:long}/revisions/{revision:int}", async Task<Results<Ok<QuoteRevision>, NotFound>> (long id, int revision, Quotes quotes, CancellationToken ct) =>
            await quotes.RevisionAsync(id, revision, ct) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound());
        read.MapGet("/{id:long}/pdf", async Task<Results<FileContentHttpResult, NotFound, ValidationProblem>> (long id, string? lang, int? revision, Quotes quotes,
            Projects.Projects projects, IOptions<MachinesOptions> machines, CancellationToken ct) =>
        {
            var language = string.IsNullOrWhiteSpace(lang) ? "ru" : lang.Trim().ToLowerInvariant();
            if (!QuotePdf.Languages.Contains(language))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["lang"] = [$"lang is ru or en; got '{lang}'."] }, title: "The PDF was not made.");
            }

            if (await quotes.GetAsync(id, ct) is not { } quote
                || (revision is { } n ? await quotes.RevisionAsync(id, n, ct) : quote.Current) is not { } shown)
            {
                return TypedResults.NotFound();
            }

            var project = await projects.GetAsync(quote.ProjectId, ct);
            var pdf = QuotePdf.Render(quote, shown, project?.Address, language, machines.Value.Zone());
            return TypedResults.File(pdf, "application/pdf", string.Create(CultureInfo.InvariantCulture, $"quote-{id}-r{shown.Revision}-{language}.pdf"));
        });

        var write = quotesGroup.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        write.MapPost("/", async Task<Results<Created<Quote>, ValidationProblem>> (QuoteDraft draft, Quotes quotes, HttpContext http) =>
        {
            var change = await quotes.CreateAsync(AuditActor.From(http), OfficeApi.Who(http), draft, http.RequestAborted);
            return change.Value is { } quote
                ? TypedResults.Created($"/api/office/quotes/{quote.Id}", quote)
                : TypedResults.ValidationProblem(change.Errors!, title: "The quote was not created.");
        });
        write.MapPut("/{id:long}", async Task<Results<Ok<Quote>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, QuoteDraft draft, Quotes quotes, HttpContext http) =>
            Answer(await quotes.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The quote was not saved."));
        write.MapPost("/{id:long}/cut-list", CutListAsync);
        write.MapPost("/{id:long}/send", async Task<Results<Ok<Quote>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, Quotes quotes, HttpContext http) =>
            Answer(await quotes.SendAsync(AuditActor.From(http), id, http.RequestAborted), "The quote was not sent."));
        write.MapPost("/{id:long}/reject", async Task<Results<Ok<Quote>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, Quotes quotes, HttpContext http) =>
            Answer(await quotes.RejectAsync(AuditActor.From(http), id, http.RequestAborted), "The quote was not rejected."));
        write.MapPost("/{id:long}/accept", async Task<Results<Ok<Quote>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, QuoteAcceptance? acceptance, Quotes quotes, HttpContext http) =>
            Answer(await quotes.AcceptAsync(AuditActor.From(http), OfficeApi.Who(http), id, acceptance ?? new(), http.RequestAborted), "The quote was not accepted."));
        write.MapPost("/{id:long}/documents", async Task<Results<Created<Templates.GeneratedDocument>, NotFound, ValidationProblem, ProblemHttpResult>> (long id,
            QuoteDocumentRequest request, QuoteDocuments documents, HttpContext http) =>
            await documents.GenerateAsync(AuditActor.From(http), OfficeApi.Who(http), id, request, http.RequestAborted) switch
            {
                { Value: { } generated } => TypedResults.Created($"/api/office/documents/{generated.Document.Id}", generated),
                { Errors: { } errors } => TypedResults.ValidationProblem(errors, title: "The document was not generated."),
                { Conflict: { } conflict } => TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: "The document was not generated."),
                _ => TypedResults.NotFound(),
            });
        return app;
    }

    /// <summary>multipart/form-data: <c>file</c> (CSV or XLSX cut list) and optionally <c>version</c> (the quote's, as read).</summary>
    private static async Task<IResult> CutListAsync(long id, HttpContext http, Quotes quotes)
    {
        if (http.Request.ContentLength > MaxCutListBytes)
        {
            return TypedResults.Problem($"The cut list is larger than {MaxCutListBytes / 1024 / 1024} MB.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (!http.Request.HasFormContentType)
        {
            return TypedResults.Problem("Send multipart/form-data with the field file (a CSV or XLSX cut list) and optionally version.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var file = form.Files.GetFile("file");
        int? version = int.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        if (file is null || file.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Choose a cut list (CSV or XLSX) that is not empty."] },
                title: "The quote was not priced.");
        }

        await using var content = new MemoryStream();
        await file.CopyToAsync(content, http.RequestAborted);
        content.Position = 0;
        var change = await quotes.FromCutListAsync(AuditActor.From(http), id, version, content, file.FileName, http.RequestAborted);
        return change switch
        {
            { Value: { } priced } => TypedResults.Ok(priced),
            { Errors: not null } => TypedResults.ValidationProblem(change.Errors, title: "The quote was not priced."),
            { Conflict: { } conflict } => TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: "The quote was not priced."),
            _ => TypedResults.NotFound(),
        };
    }

    private static Results<Ok<T>, NotFound, ValidationProblem, ProblemHttpResult> Answer<T>(OfficeChange<T> change, string title)
        where T : class =>
        change switch
        {
            { Value: { } value } => TypedResults.Ok(value),
            { Errors: not null } => TypedResults.ValidationProblem(change.Errors, title: title),
            { Conflict: { } conflict } => TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: title),
            _ => TypedResults.NotFound(),
        };
}

/// <summary>A project with its quotes.</summary>
internal sealed record ProjectView(Project Project, IReadOnlyList<QuoteSummary> Quotes);
