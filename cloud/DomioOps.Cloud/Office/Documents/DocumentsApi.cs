using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// <c>/api/office/documents</c>, for the office and administrators (policy <c>Office</c>): upload a document
/// (multipart/form-data: ownerKind, ownerId, file, optional name and note) or a new version of one (file, note), list an
/// owner's documents, read one with its versions, download a version, search names and contents. A file over
/// <see cref="DocumentOptions.MaxUploadBytes"/> is refused with 413 naming the limit, bad fields with 422 naming each; either
/// way nothing is written.
/// </summary>
internal static class DocumentsApi
{
    public const string Path = "/api/office/documents";

    /// <summary>The form's own fields and framing, on top of the file.</summary>
    private const long FormFraming = 64 * 1024;

    public static IEndpointRouteBuilder MapOfficeDocumentsApi(this IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<IOptions<DocumentOptions>>().Value.MaxUploadBytes;
        var documents = app.MapGroup(Path).WithTags("Office documents").RequireAuthorization(SecurityPolicies.Office);
        documents.MapGet("", async Task<Results<Ok<IReadOnlyList<OfficeDocument>>, ProblemHttpResult>> (string? ownerKind, long? ownerId, DocumentStore store, CancellationToken ct) =>
            OwnerProblem(ownerKind, ownerId) is { } problem
                ? Problem(problem, "The documents were not listed")
                : TypedResults.Ok(await store.ListAsync(ownerKind!, ownerId!.Value, ct)));
        documents.MapGet("/search", async Task<Results<Ok<IReadOnlyList<DocumentHit>>, ProblemHttpResult>> (string? q, int? limit, DocumentStore store, CancellationToken ct) =>
            string.IsNullOrWhiteSpace(q) || q.Length > 200
                ? Problem("q is required: the words to find, 1 to 200 characters (web-search syntax: \"a phrase\", -word, or).", "Nothing was searched")
                : limit is < 1 or > DocumentStore.MaxSearchLimit
                    ? Problem($"limit is 1 to {DocumentStore.MaxSearchLimit} (default 20).", "Nothing was searched")
                    : TypedResults.Ok(await store.SearchAsync(q, limit ?? 20, ct)));
        documents.MapGet("/{id:long}", async Task<Results<Ok<OfficeDocument>, NotFound>> (long id, DocumentStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } document ? TypedResults.Ok(document) : TypedResults.NotFound());
        documents.MapGet("/{id:long}/versions/{version:int}/content", async (long id, int version, DocumentStore store, CancellationToken ct) =>
            await store.ContentAsync(id, version, ct) is var (contentType, name, content)
                // An attachment, never shown inline: an uploaded HTML file must not run in the application's origin.
                ? Results.File(content, contentType, version == 1 ? name : VersionedName(name, version))
                : Results.NotFound());

        var upload = new UploadSizeLimit(limit + FormFraming);
        documents.MapPost("", CreateAsync).WithMetadata(AuditsItself.Instance, upload).WithFormOptions(multipartBodyLengthLimit: limit + FormFraming);
        documents.MapPost("/{id:long}/versions", AddVersionAsync).WithMetadata(AuditsItself.Instance, upload).WithFormOptions(multipartBodyLengthLimit: limit + FormFraming);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, DocumentStore store, IOptions<DocumentOptions> options)
    {
        var (form, file, refusal) = await ReadAsync(http, options.Value);
        if (refusal is not null)
        {
            return refusal;
        }

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var ownerKind = form!["ownerKind"].ToString();
        long? ownerId = long.TryParse(form["ownerId"], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        if (OwnerProblem(ownerKind, ownerId) is { } ownerProblem)
        {
            errors["owner"] = ownerProblem;
        }

        var name = string.IsNullOrWhiteSpace(form["name"]) ? System.IO.Path.GetFileName(file?.FileName ?? "") : form["name"].ToString().Trim();
        if (name.Length is 0 or > 300)
        {
            errors["name"] = "name is 1 to 300 characters (by default the file's name).";
        }

        if (file is null)
        {
            errors["file"] = "Choose a file that is not empty.";
        }

        if (errors.Count > 0)
        {
            return FieldProblem(errors, "The document was not stored");
        }

        var content = await ContentAsync(file!, http.RequestAborted);
        var document = await store.CreateAsync(AuditActor.From(http), Who(http),
            new DocumentUpload(ownerKind, ownerId!.Value, name, ContentTypeOf(file!, content), content, Note(form)), http.RequestAborted);
        return TypedResults.Created($"{Path}/{document.Id}", document);
    }

    private static async Task<IResult> AddVersionAsync(long id, HttpContext http, DocumentStore store, IOptions<DocumentOptions> options)
    {
        var (form, file, refusal) = await ReadAsync(http, options.Value);
        if (refusal is not null)
        {
            return refusal;
        }

        if (file is null)
        {
            return FieldProblem(new Dictionary<string, string> { ["file"] = "Choose a file that is not empty." }, "The version was not stored");
        }

        var content = await ContentAsync(file, http.RequestAborted);
        return await store.AddVersionAsync(AuditActor.From(http), Who(http), id, ContentTypeOf(file, content), content, Note(form!), http.RequestAborted) is { } document
            ? TypedResults.Created($"{Path}/{id}/versions/{document.CurrentVersion}/content", document)
            : TypedResults.NotFound();
    }

    /// <summary>The form and its file (null when missing or empty), or the refusal of a request too large or not a form.</summary>
    private static async Task<(IFormCollection? Form, IFormFile? File, IResult? Refusal)> ReadAsync(HttpContext http, DocumentOptions options)
    {
        var tooLarge = TypedResults.Problem(
            $"The file is larger than the limit of {Size(options.MaxUploadBytes)} ({DocumentOptions.Section}:MaxUploadBytes): send a smaller file "
            + "(a scan at 300 dpi in grey, or split it), or ask an administrator to raise the limit.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large");
        if (http.Request.ContentLength > options.MaxUploadBytes + FormFraming)
        {
            return (null, null, tooLarge);
        }

        if (!http.Request.HasFormContentType)
        {
            return (null, null, TypedResults.Problem("Send multipart/form-data with the fields ownerKind, ownerId, file and optionally name and note.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, null, tooLarge);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null, tooLarge);
        }
        catch (InvalidDataException e)
        {
            return (null, null, TypedResults.Problem($"The form could not be read: {e.Message}", statusCode: StatusCodes.Status400BadRequest));
        }

        var file = form.Files.GetFile("file");
        return file is { Length: > 0 } && file.Length > options.MaxUploadBytes ? (form, file, tooLarge) : (form, file is { Length: > 0 } ? file : null, null);
    }

    private static async Task<byte[]> ContentAsync(IFormFile file, CancellationToken ct)
    {
        using var copy = new MemoryStream((int)file.Length);
        await file.CopyToAsync(copy, ct);
        return copy.ToArray();
    }

    /// <summary>The declared type, or what the bytes say when the browser declared none.</summary>
    private static string ContentTypeOf(IFormFile file, byte[] content)
    {
        var declared = file.ContentType;
        if (!string.IsNullOrWhiteSpace(declared) && declared.Length <= 200 && !declared.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return declared;
        }

        return TextExtractor.KindOf(content, "") switch
        {
            "pdf" => "application/pdf",
            "image" when TextExtractor.IsPng(content) => "image/png",
            "image" when TextExtractor.IsJpeg(content) => "image/jpeg",
            "text" => "text/plain",
            _ => "application/octet-stream",
        };
    }

    private static string? OwnerProblem(string? ownerKind, long? ownerId) =>
        !DocumentOwners.IsKind(ownerKind) ? $"ownerKind '{ownerKind}' is not one of {string.Join(", ", DocumentOwners.Kinds)}."
        : ownerId is not > 0 ? "ownerId is the owner's id, a whole number above 0."
        : null;

    private static string? Note(IFormCollection form) => string.IsNullOrWhiteSpace(form["note"]) ? null : form["note"].ToString().Trim();

    /// <summary>Who uploaded, as stored with the version: the person's (or the key's owner's) user id.</summary>
    private static string Who(HttpContext http) => AuditActor.From(http).Id ?? "unknown";

    private static string VersionedName(string name, int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{System.IO.Path.GetFileNameWithoutExtension(name)} (v{version}){System.IO.Path.GetExtension(name)}");

    /// <summary>A limit as people read it: 25 MB, 256 KB, 1000 bytes.</summary>
    internal static string Size(long bytes) =>
        bytes % (1024 * 1024) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MB")
        : bytes % 1024 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static ProblemHttpResult Problem(string detail, string title) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: title);

    private static ProblemHttpResult FieldProblem(Dictionary<string, string> errors, string title) =>
        TypedResults.Problem("Correct the fields named and send the file again; nothing was stored.", statusCode: StatusCodes.Status422UnprocessableEntity,
            title: title, extensions: new Dictionary<string, object?> { ["fieldErrors"] = errors });

    /// <summary>Raises the host's request body limit to the upload limit and the form around it, for uploads only.</summary>
    private sealed class UploadSizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
