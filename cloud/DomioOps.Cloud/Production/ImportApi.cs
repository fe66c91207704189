using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Production;

/// <summary>
/// <c>POST /api/production/orders/import</c>: a cut list (multipart/form-data: number, customer, dueDate yyyy-MM-dd,
/// priority 1-5, file) becomes an order (201) or is refused whole (422 with every field error and every error of the
/// file by row and column). <c>GET /api/production/cut-list-templates/{name}</c>: the example cut lists.
/// </summary>
internal static class ImportApi
{
    /// <summary>The largest cut list taken: 20 MB.</summary>
    public const long MaxFileBytes = 20L * 1024 * 1024;

    /// <summary>The file and the order's few fields, with the form's framing.</summary>
    public const long MaxRequestBytes = MaxFileBytes + (64 * 1024);

    public const string TooLargeProblem = "The cut list is larger than 20 MB: split it into several orders, or remove unused columns.";

    /// <summary>The embedded example cut lists, by file name.</summary>
    public static IReadOnlyList<string> Templates { get; } = ["kitchen-cut-list.csv", "wardrobe-cut-list.csv"];

    internal sealed record Imported(long Id, string Number, int Parts, int Operations);

    internal sealed record FileError(int Row, string Column, string Problem, string Message);

    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        // The import audits itself (the order, its part and operation counts and the file's name).
        var production = app.MapGroup("/api/production").WithTags("Production").RequireAuthorization(SecurityPolicies.ProductionOffice);
        production.MapPost("/orders/import", ImportAsync).WithMetadata(AuditsItself.Instance).WithMetadata(new ImportSizeLimit());
        production.MapGet("/cut-list-templates/{name}", (string name) =>
            Template(name) is { } stream ? Results.File(stream, "text/csv; charset=utf-8", name) : Results.NotFound());
        return app;
    }

    /// <summary>The example cut list <paramref name="name"/> (one of <see cref="Templates"/>), or null.</summary>
    public static Stream? Template(string name) =>
        Templates.Contains(name, StringComparer.Ordinal)
            ? typeof(ImportApi).Assembly.GetManifestResourceStream($"DomioOps.Cloud.Production.Samples.{name}")
            : null;

    /// <summary>The order fields as a form sends them: a due date that is not yyyy-MM-dd or a priority that is not a number is named.</summary>
    public static (OrderHeader Header, Dictionary<string, string> Errors) Header(string? number, string? customer, string? dueDate, string? priority)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        DateOnly? due = null;
        if (!string.IsNullOrWhiteSpace(dueDate))
        {
            if (DateOnly.TryParseExact(dueDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                due = parsed;
            }
            else
            {
                errors["dueDate"] = $"The due date '{dueDate}' is not a date written yyyy-MM-dd.";
            }
        }

        int? urgency = null;
        if (!string.IsNullOrWhiteSpace(priority))
        {
            if (int.TryParse(priority.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                urgency = parsed;
            }
            else
            {
                urgency = 0; // out of range: the service refuses the order too
                errors["priority"] = $"The priority is {ProductionOrder.HighestPriority} (most urgent) to {ProductionOrder.LowestPriority}.";
            }
        }

        return (new OrderHeader(number, customer, due, urgency), errors);
    }

    /// <summary>The service's field errors, with the form's own (which say more than "required") winning.</summary>
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> service, Dictionary<string, string> form)
    {
        var merged = new Dictionary<string, string>(service, StringComparer.Ordinal);
        foreach (var (field, message) in form)
        {
            merged[field] = message;
        }

        return merged;
    }

    private static async Task<IResult> ImportAsync(HttpContext http, ProductionImport import, ProductionDbContext db, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxRequestBytes)
        {
            return TypedResults.Problem(TooLargeProblem, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (!http.Request.HasFormContentType)
        {
            return TypedResults.Problem("Send multipart/form-data with the fields number, customer, dueDate (yyyy-MM-dd), priority (1-5) and file.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(TooLargeProblem, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem($"The form could not be read: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
        }

        var (header, formErrors) = Header(form["number"], form["customer"], form["dueDate"], form["priority"]);
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            formErrors["file"] = "Choose a cut list file (.csv, .txt or .xlsx) that is not empty.";
        }
        else if (file.Length > MaxFileBytes)
        {
            return TypedResults.Problem(TooLargeProblem, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var actor = AuditActor.From(http);
        await using var content = file is { Length: > 0 } ? file.OpenReadStream() : Stream.Null;
        var result = await import.ImportAsync(actor, header, content, file?.FileName ?? "", null, ct);
        if (result.OrderId is { } id)
        {
            var counts = await db.Orders.AsNoTracking().Where(o => o.Id == id)
                .Select(o => new { o.Number, Parts = db.Parts.Count(p => p.OrderId == id), Operations = db.Operations.Count(p => p.OrderId == id) })
                .FirstAsync(ct);
            return TypedResults.Created($"/production/orders/{id}", new Imported(id, counts.Number, counts.Parts, counts.Operations));
        }

        var fileErrors = file is { Length: > 0 }
            ? result.FileErrors.Select(e => new FileError(e.Row, e.Column, e.Problem.ToString(), e.Message)).ToList()
            : [];
        return TypedResults.Problem("The cut list was not imported, and nothing was created: correct every error listed and send it again.",
            statusCode: StatusCodes.Status422UnprocessableEntity, title: "The cut list has errors",
            extensions: new Dictionary<string, object?>
            {
                ["fieldErrors"] = Merge(result.FieldErrors, formErrors),
                ["fileErrors"] = fileErrors,
            });
    }

    /// <summary>Raises the host's request body limit (1 MB) to a cut list's 20 MB, for this endpoint only.</summary>
    private sealed class ImportSizeLimit : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => MaxRequestBytes;
    }
}
