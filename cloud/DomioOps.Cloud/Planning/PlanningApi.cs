using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Planning;

/// <summary>
/// <c>/api/planning</c>: the live schedule, capacity and order forecasts (policy <c>Production</c>); sequence changes,
/// previewed or applied (<c>ProductionOffice</c>); planned maintenance, read by production and planned by maintenance,
/// planners and administrators (<c>Operations</c>).
/// </summary>
internal static class PlanningApi
{
    public static IEndpointRouteBuilder MapPlanningApi(this IEndpointRouteBuilder app)
    {
        var planning = app.MapGroup("/api/planning").WithTags("Planning");
        planning.MapGet("/schedule", (Planner planner) => TypedResults.Ok(planner.Current)).RequireAuthorization(SecurityPolicies.Production);
        planning.MapGet("/capacity", (Planner planner) => TypedResults.Ok(planner.Current.Capacity)).RequireAuthorization(SecurityPolicies.Production);
        planning.MapGet("/orders", (Planner planner) => TypedResults.Ok(planner.Current.Orders)).RequireAuthorization(SecurityPolicies.Production);
        planning.MapGet("/maintenance", async (MaintenanceWindows maintenance, CancellationToken ct) => TypedResults.Ok(await maintenance.ListAsync(ct)))
            .RequireAuthorization(SecurityPolicies.Production);

        planning.MapPost("/sequence", async Task<Results<Ok<Schedule>, ProblemHttpResult>> (SequenceChange change, bool? preview, Planner planner, HttpContext http) =>
        {
            try
            {
                return TypedResults.Ok(preview == true
                    ? await planner.PreviewAsync(change, http.RequestAborted)
                    : await planner.ApplyAsync(change, AuditActor.From(http), http.RequestAborted));
            }
            catch (SequenceChangeRefused refused)
            {
                return TypedResults.Problem(refused.Message, statusCode: refused.Status, title: "The sequence was not changed");
            }
        }).RequireAuthorization(SecurityPolicies.ProductionOffice).WithMetadata(AuditsItself.Instance);

        var maintain = planning.MapGroup("/maintenance").RequireAuthorization(SecurityPolicies.Operations).WithMetadata(AuditsItself.Instance);
        maintain.MapPost("/", async Task<Results<Created<MaintenanceWindow>, ProblemHttpResult>> (MaintenanceDraft draft, MaintenanceWindows maintenance, HttpContext http) =>
        {
            var (window, problem) = await maintenance.PlanAsync(AuditActor.From(http), draft, http.RequestAborted);
            return window is not null
                ? TypedResults.Created($"/api/planning/maintenance/{window.Id}", window)
                : TypedResults.Problem(problem, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The maintenance was not planned");
        });
        maintain.MapDelete("/{id:long}", async Task<Results<NoContent, NotFound>> (long id, MaintenanceWindows maintenance, HttpContext http) =>
            await maintenance.RemoveAsync(AuditActor.From(http), id, http.RequestAborted) ? TypedResults.NoContent() : TypedResults.NotFound());
        return app;
    }
}
