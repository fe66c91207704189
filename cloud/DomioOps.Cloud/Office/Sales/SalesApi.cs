using System.Globalization;
using System.Security.Claims;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// <c>/api/office</c>: pipelines, deals, activities, a customer's timeline and a person's calendar. Read: policy
/// <c>ProductionOffice</c>; change: policy <c>Office</c>. Each change audits itself.
/// </summary>
internal static class SalesApi
{
    public static IEndpointRouteBuilder MapOfficeSalesApi(this IEndpointRouteBuilder app)
    {
        var office = app.MapGroup("/api/office").WithTags("Office");
        var read = office.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        read.MapGet("/pipelines", async (Deals deals, CancellationToken ct) => TypedResults.Ok(await deals.PipelinesAsync(ct)));
        read.MapGet("/deals", async Task<Results<Ok<IReadOnlyList<Deal>>, ValidationProblem>> (string? pipelineId, string? customerId, Deals deals, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var pipeline = Id(pipelineId, "pipelineId", errors);
            var customer = Id(customerId, "customerId", errors);
            return errors.Count > 0
                ? TypedResults.ValidationProblem(errors, title: "The deal query is not valid.")
                : TypedResults.Ok(await deals.ListAsync(pipeline, customer, ct));
        });
        read.MapGet("/deals/{id:long}", async Task<Results<Ok<Deal>, NotFound>> (long id, Deals deals, CancellationToken ct) =>
            await deals.GetAsync(id, ct) is { } deal ? TypedResults.Ok(deal) : TypedResults.NotFound());
        read.MapGet("/customers/{id:long}/timeline", async Task<Results<Ok<TimelinePage>, NotFound, ValidationProblem>> (long id, string? page, string? pageSize,
            CustomerTimeline timeline, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var number = Number(page, "page", 1, 1, 100_000, errors);
            var size = Number(pageSize, "pageSize", CustomerTimeline.DefaultPageSize, 1, CustomerTimeline.MaxPageSize, errors);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors, title: "The timeline query is not valid.");
            }

            return await timeline.ReadAsync(id, number, size, ct) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();
        });
        read.MapGet("/activities", async Task<Results<Ok<IReadOnlyList<Activity>>, ValidationProblem>> (string? owner, string? state, Activities activities, HttpContext http) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var ownerId = owner switch
            {
                null or "" or "me" => UserOf(http),
                "all" => null,
                _ => owner,
            };
            ActivityFilter? filter = state switch
            {
                null or "" or "open" => ActivityFilter.Open,
                "overdue" => ActivityFilter.Overdue,
                "done" => ActivityFilter.Done,
                "all" => ActivityFilter.All,
                _ => null,
            };
            if (filter is null)
            {
                errors["state"] = [$"state is 'open', 'overdue', 'done' or 'all'; got '{state}'."];
                return TypedResults.ValidationProblem(errors, title: "The activity query is not valid.");
            }

            return TypedResults.Ok(await activities.ListAsync(ownerId, filter.Value, http.RequestAborted));
        });
        read.MapGet("/activities/calendar.ics", async (Activities activities, HttpContext http) =>
        {
            var userId = UserOf(http);
            var list = userId is null ? [] : await activities.CalendarAsync(userId, http.RequestAborted);
            var text = ActivityCalendar.Write(list, http.Request.Host.Host, TimeProvider.System.GetUtcNow());
            return TypedResults.Text(text, ActivityCalendar.ContentType);
        });

        var write = office.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        write.MapPost("/deals", async Task<Results<Created<Deal>, ValidationProblem>> (DealDraft draft, Deals deals, HttpContext http) =>
        {
            var change = await deals.CreateAsync(AuditActor.From(http), OfficeApi.Who(http), UserOf(http), draft, http.RequestAborted);
            return change.Value is { } deal
                ? TypedResults.Created($"/api/office/deals/{deal.Id}", deal)
                : TypedResults.ValidationProblem(change.Errors!, title: "The deal was not created.");
        });
        write.MapPut("/deals/{id:long}", async Task<Results<Ok<Deal>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, DealDraft draft, Deals deals, HttpContext http) =>
            Answer(await deals.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The deal was not saved."));
        write.MapPost("/deals/{id:long}/move", async Task<Results<Ok<Deal>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, DealMove move, Deals deals, HttpContext http) =>
            Answer(await deals.MoveAsync(AuditActor.From(http), id, move, http.RequestAborted), "The deal was not moved."));
        write.MapPost("/activities", async Task<Results<Created<Activity>, ValidationProblem>> (ActivityDraft draft, Activities activities, HttpContext http) =>
        {
            var change = await activities.CreateAsync(AuditActor.From(http), OfficeApi.Who(http), UserOf(http), draft, http.RequestAborted);
            return change.Value is { } activity
                ? TypedResults.Created($"/api/office/activities/{activity.Id}", activity)
                : TypedResults.ValidationProblem(change.Errors!, title: "The activity was not created.");
        });
        write.MapPut("/activities/{id:long}", async Task<Results<Ok<Activity>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, ActivityDraft draft,
            Activities activities, HttpContext http) =>
            Answer(await activities.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The activity was not saved."));
        return app;
    }

    private static string? UserOf(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier);

    private static long? Id(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }

        errors[field] = [$"{field} is a positive whole number; got '{text}'."];
        return null;
    }

    private static int Number(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors[field] = [$"{field} is a whole number from {min} to {max}; got '{text}'."];
        return fallback;
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
