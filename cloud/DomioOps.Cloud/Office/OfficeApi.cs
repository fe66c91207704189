using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Components;
using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Materials;
using DomioOps.Cloud.Office.Search;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Office;

/// <summary>
/// <c>/api/office</c>: customers and their contacts. The office and administrators read and change them (policy
/// <c>Office</c>); planners read them (<c>ProductionOffice</c>), to see whom an order is for. Each change audits itself.
/// </summary>
internal static class OfficeApi
{
    public static IEndpointRouteBuilder MapOfficeApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/office/customers").WithTags("Office");
        var read = customers.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        read.MapGet("/", async Task<Results<Ok<CustomerPage>, ValidationProblem>> (string? q, string? kind, string? sort, string? page, string? pageSize,
            Customers.Customers list, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            return CustomerQuery.Parse(q, kind, sort, page, pageSize, errors) is { } query
                ? TypedResults.Ok(await list.ListAsync(query, ct))
                : TypedResults.ValidationProblem(errors, title: "The customer query is not valid.");
        });
        read.MapGet("/export.csv", (string? q, string? kind, string? sort, Customers.Customers list, CancellationToken ct) =>
        {
            var culture = CultureInfo.CurrentUICulture;
            return ExportAsync(q, kind, sort, list, (output, table) => SpreadsheetExport.WriteCsvAsync(output, culture, table, CancellationToken.None),
                ProductionApi.CsvType, "customers.csv", ct);
        });
        read.MapGet("/export.xlsx", (string? q, string? kind, string? sort, Customers.Customers list, CancellationToken ct) =>
            ExportAsync(q, kind, sort, list, (output, table) => SpreadsheetExport.WriteXlsxAsync(output, table, "Customers", CancellationToken.None),
                ProductionApi.XlsxType, "customers.xlsx", ct));
        read.MapGet("/{id:long}", async Task<Results<Ok<Customer>, NotFound>> (long id, Customers.Customers list, CancellationToken ct) =>
            await list.GetAsync(id, ct) is { } customer ? TypedResults.Ok(customer) : TypedResults.NotFound());

        var write = customers.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        write.MapPost("/", async Task<Results<Created<Customer>, ValidationProblem>> (CustomerDraft draft, Customers.Customers list, HttpContext http) =>
        {
            var change = await list.CreateAsync(AuditActor.From(http), Who(http), draft, http.RequestAborted);
            return change.Value is { } customer
                ? TypedResults.Created($"/api/office/customers/{customer.Id}", customer)
                : Invalid(change, "The customer was not created.");
        });
        write.MapPut("/{id:long}", async Task<Results<Ok<Customer>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, CustomerDraft draft, Customers.Customers list, HttpContext http) =>
            Answer(await list.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The customer was not saved."));
        write.MapDelete("/{id:long}", async Task<Results<NoContent, NotFound>> (long id, Customers.Customers list, HttpContext http) =>
            await list.DeleteAsync(AuditActor.From(http), id, http.RequestAborted) ? TypedResults.NoContent() : TypedResults.NotFound());

        write.MapPost("/{id:long}/contacts", async Task<Results<Created<Contact>, NotFound, ValidationProblem>> (long id, ContactDraft draft, Customers.Customers list, HttpContext http) =>
        {
            var change = await list.AddContactAsync(AuditActor.From(http), id, draft, http.RequestAborted);
            return change switch
            {
                { Value: { } contact } => TypedResults.Created($"/api/office/customers/{id}/contacts/{contact.Id}", contact),
                { Errors: not null } => Invalid(change, "The contact was not added."),
                _ => TypedResults.NotFound(),
            };
        });
        write.MapPut("/{id:long}/contacts/{contactId:long}", async Task<Results<Ok<Contact>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, long contactId, ContactDraft draft,
            Customers.Customers list, HttpContext http) =>
            Answer(await list.UpdateContactAsync(AuditActor.From(http), id, contactId, draft, http.RequestAborted), "The contact was not saved."));
        write.MapDelete("/{id:long}/contacts/{contactId:long}", async Task<Results<NoContent, NotFound>> (long id, long contactId, Customers.Customers list, HttpContext http) =>
            await list.DeleteContactAsync(AuditActor.From(http), id, contactId, http.RequestAborted) ? TypedResults.NoContent() : TypedResults.NotFound());

        // GDPR, administrators only, as for people with accounts (PersonDataApi): everything kept about a customer, and its erasure.
        var personal = customers.MapGroup("/{id:long}/personal-data").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        personal.MapGet("/", async Task<Results<Ok<CustomerPersonalData>, NotFound>> (long id, Customers.Customers list, Documents.DocumentStore documents, AuditTrail audit, HttpContext http) =>
        {
            if (await list.GetAsync(id, http.RequestAborted) is not { } customer)
            {
                return TypedResults.NotFound();
            }

            var files = await documents.ListAsync("customer", id, http.RequestAborted);
            await audit.AppendAsync(AuditActor.From(http), "office.customer.exported", "office-customer", id.ToString(CultureInfo.InvariantCulture), null, null, http.RequestAborted);
            return TypedResults.Ok(new CustomerPersonalData(customer, files));
        });
        personal.MapDelete("/", async Task<Results<NoContent, NotFound>> (long id, Customers.Customers list, HttpContext http) =>
            await list.EraseAsync(AuditActor.From(http), id, http.RequestAborted) ? TypedResults.NoContent() : TypedResults.NotFound());

        app.MapOfficeMaterialsApi();
        return app;
    }

    /// <summary>
    /// <c>GET /api/office/search?q=&amp;limit=</c>: the one search box — the best customers, orders and (for those who may
    /// read them, policy <c>Office</c>) documents, each with how many matched.
    /// </summary>
    public static IEndpointRouteBuilder MapOfficeSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/office/search", async Task<Results<Ok<OfficeSearchResult>, ValidationProblem>> (string? q, string? limit, OfficeSearch search,
            IAuthorizationService authorization, HttpContext http) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (OfficeSearch.Parse(q, limit, errors) is not var (text, count))
            {
                return TypedResults.ValidationProblem(errors, title: "The search is not valid.");
            }

            var documents = (await authorization.AuthorizeAsync(http.User, SecurityPolicies.Office)).Succeeded;
            return TypedResults.Ok(await search.SearchAsync(text, count, documents, http.RequestAborted));
        }).WithTags("Office").RequireAuthorization(SecurityPolicies.ProductionOffice);
        return app;
    }

    private static async Task<Results<PushStreamHttpResult, ValidationProblem>> ExportAsync(string? q, string? kind, string? sort, Customers.Customers list,
        Func<Stream, SpreadsheetTable, Task> write, string contentType, string fileName, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (CustomerQuery.Parse(q, kind, sort, null, null, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, title: "The customer query is not valid.");
        }

        var table = CustomerExport.Table(await list.ExportAsync(query, ct));
        return TypedResults.Stream(output => write(output, table), contentType, fileName);
    }

    /// <summary>The person's name as the customer's "created by" shows it.</summary>
    public static string Who(HttpContext http) => http.User.Identity?.Name ?? AuditActor.From(http).Id ?? "unknown";

    private static Results<Ok<T>, NotFound, ValidationProblem, ProblemHttpResult> Answer<T>(OfficeChange<T> change, string title)
        where T : class =>
        change switch
        {
            { Value: { } value } => TypedResults.Ok(value),
            { Errors: not null } => Invalid(change, title),
            { Conflict: { } conflict } => TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: title),
            _ => TypedResults.NotFound(),
        };

    private static ValidationProblem Invalid<T>(OfficeChange<T> change, string title)
        where T : class =>
        TypedResults.ValidationProblem(change.Errors!, title: title);
}

/// <summary>
/// What is kept about a customer (GDPR export): the customer with its contacts, and its documents with their versions
/// (each file from <c>/api/office/documents/{id}/versions/{version}/content</c>). The audit trail holds no personal data
/// of customers (field names only), so it is not part of the export.
/// </summary>
internal sealed record CustomerPersonalData(Customer Customer, IReadOnlyList<Documents.OfficeDocument> Documents);

/// <summary>The customer list as a spreadsheet table (CSV and XLSX export).</summary>
internal static class CustomerExport
{
    private static readonly string[] Headers = ["Id", "Kind", "Name", "Legal name", "INN", "E-mail", "Phone", "Address", "Notes", "Created (UTC)", "Created by"];

    public static SpreadsheetTable Table(IReadOnlyList<Customer> customers) => new(Headers, [.. customers.Select(Values)]);

    private static object?[] Values(Customer c) =>
    [
        c.Id, c.Kind == CustomerKind.Company ? "company" : "person", c.Name, c.LegalName, c.TaxId, c.Email, c.Phone, c.Address, c.Notes,
        c.CreatedAt.UtcDateTime, c.CreatedBy,
    ];
}
