using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Maintenance.Work;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Maintenance;

/// <summary>The answer to resolving an alert: the verdict and an optional note.</summary>
internal sealed record AlertResolution(AlertVerdict? Verdict, string? Note);

/// <summary>
/// <c>/api/maintenance</c>: failure alerts and work orders, read by everyone in production (policy <c>Production</c>),
/// acted on by maintenance, planners and administrators (<c>Operations</c>).
/// </summary>
internal static class MaintenanceApi
{
    public static IEndpointRouteBuilder MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        var maintenance = app.MapGroup("/api/maintenance").WithTags("Maintenance");
        var read = maintenance.MapGroup("").RequireAuthorization(SecurityPolicies.Production);
        read.MapGet("/alerts", async (bool? open, string? machine, MaintenanceAlerts alerts, CancellationToken ct) =>
            TypedResults.Ok(await alerts.ListAsync(open ?? false, machine, ct)));
        read.MapGet("/alerts/{id:long}", async Task<Results<Ok<MaintenanceAlert>, NotFound>> (long id, MaintenanceAlerts alerts, CancellationToken ct) =>
            await alerts.GetAsync(id, ct) is { } alert ? TypedResults.Ok(alert) : TypedResults.NotFound());
        read.MapGet("/work-orders", async (bool? open, string? machine, WorkOrders orders, CancellationToken ct) =>
            TypedResults.Ok(await orders.ListAsync(open ?? false, machine, ct)));
        read.MapGet("/work-orders/{id:long}", async Task<Results<Ok<WorkOrder>, NotFound>> (long id, WorkOrders orders, CancellationToken ct) =>
            await orders.GetAsync(id, ct) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound());

        var act = maintenance.MapGroup("").RequireAuthorization(SecurityPolicies.Operations).WithMetadata(AuditsItself.Instance);
        act.MapPost("/alerts/{id:long}/acknowledge", async (long id, MaintenanceAlerts alerts, HttpContext http) =>
            Answer(await alerts.AcknowledgeAsync(AuditActor.From(http), Who(http), id, http.RequestAborted), "The alert was not acknowledged"));
        act.MapPost("/alerts/{id:long}/resolve", async Task<Results<Ok<MaintenanceAlert>, NotFound, ProblemHttpResult>> (long id, AlertResolution resolution, MaintenanceAlerts alerts, HttpContext http) =>
            resolution.Verdict is not { } verdict
                ? Problem("verdict is required: TrueFailure, FalseAlarm or Prevented.", "The alert was not resolved")
                : Answer(await alerts.ResolveAsync(AuditActor.From(http), Who(http), id, verdict, resolution.Note, http.RequestAborted), "The alert was not resolved"));

        act.MapPost("/work-orders", async Task<Results<Created<WorkOrder>, ProblemHttpResult>> (WorkOrderDraft draft, WorkOrders orders, HttpContext http) =>
        {
            var (order, problem) = await orders.CreateAsync(AuditActor.From(http), Who(http), draft, http.RequestAborted);
            return order is not null
                ? TypedResults.Created($"/api/maintenance/work-orders/{order.Id}", order)
                : Problem(problem, "The work order was not planned");
        });
        act.MapPut("/work-orders/{id:long}/progress", async (long id, WorkOrderProgress progress, WorkOrders orders, HttpContext http) =>
            Answer(await orders.RecordAsync(AuditActor.From(http), id, progress, http.RequestAborted), "The progress was not recorded"));
        act.MapPost("/work-orders/{id:long}/close", async (long id, WorkOrderClosing closing, WorkOrders orders, HttpContext http) =>
            Answer(await orders.CloseAsync(AuditActor.From(http), Who(http), id, closing, http.RequestAborted), "The work order was not closed"));
        act.MapPost("/work-orders/{id:long}/cancel", async (long id, WorkOrders orders, HttpContext http) =>
            Answer(await orders.CancelAsync(AuditActor.From(http), Who(http), id, http.RequestAborted), "The work order was not cancelled"));

        // The model registry: maintenance, planners and administrators.
        var models = maintenance.MapGroup("/models").RequireAuthorization(SecurityPolicies.Operations);
        models.MapGet("/", async (ModelRegistry registry, CancellationToken ct) => TypedResults.Ok(await registry.ListAsync(ct)));
        models.MapGet("/{id:long}/report", async Task<Results<ContentHttpResult, NotFound>> (long id, ModelRegistry registry, HttpContext http) =>
        {
            if (await registry.ReportAsync(id, http.RequestAborted) is not { } report)
            {
                return TypedResults.NotFound();
            }

            // The report is a page of its own (inline SVG and styles, no script): nothing else may load in it.
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
            return TypedResults.Content(report, "text/html; charset=utf-8");
        });
        models.MapPost("/{id:long}/activate", async Task<Results<Ok<RegisteredModel>, NotFound>> (long id, ModelActivation activation, HttpContext http) =>
            await activation.ActivateAsync(AuditActor.From(http), id, http.RequestAborted) is { } model ? TypedResults.Ok(model) : TypedResults.NotFound())
            .WithMetadata(AuditsItself.Instance);
        return app;
    }

    /// <summary>The person's name as the alert and the work order show it.</summary>
    public static string Who(HttpContext http) => http.User.Identity?.Name ?? AuditActor.From(http).Id ?? "unknown";

    private static Results<Ok<T>, NotFound, ProblemHttpResult> Answer<T>((T? Value, string? Problem) result, string title)
        where T : class =>
        result switch
        {
            ({ } value, _) => TypedResults.Ok(value),
            (null, null) => TypedResults.NotFound(),
            (null, { } problem) => Problem(problem, title),
        };

    private static ProblemHttpResult Problem(string? problem, string title) =>
        TypedResults.Problem(problem, statusCode: StatusCodes.Status422UnprocessableEntity, title: title);
}
