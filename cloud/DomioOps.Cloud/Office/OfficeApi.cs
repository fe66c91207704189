using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Components;
using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Materials;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

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
        read.MapGet("/export.csv", async Task<Results<PushStreamHttpResult, ValidationProblem>> (string? q, string? kind, string? sort,
            Customers.Customers list, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (CustomerQuery.Parse(q, kind, sort, null, null, errors) is not { } query)
            {
                return TypedResults.ValidationProblem(errors, title: "The customer query is not valid.");
            }

            var rows = await list.ExportAsync(query, ct);
            var culture = CultureInfo.CurrentUICulture;
            return TypedResults.Stream(output => SpreadsheetExport.WriteCsvAsync(output, culture, CustomerExport.Table(rows), CancellationToken.None),
                ProductionApi.CsvType, "customers.csv");
        });
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
        app.MapOfficeMaterialsApi();
        return app;
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

/// <summary>The customer list as a spreadsheet table (CSV export).</summary>
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
