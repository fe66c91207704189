using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Production;

/// <summary>
/// <c>/api/production/work-centres</c>: the office lists, creates, changes and deletes work centres (<see cref="WorkCentres"/>).
/// A refused change is a 422 problem whose <c>errors</c> name each field with its messages.
/// </summary>
internal static class WorkCentresApi
{
    public static IEndpointRouteBuilder MapWorkCentresApi(this IEndpointRouteBuilder app)
    {
        var centres = app.MapGroup("/api/production/work-centres").WithTags("Production")
            .RequireAuthorization(SecurityPolicies.ProductionOffice).WithMetadata(AuditsItself.Instance);
        centres.MapGet("/", async (WorkCentres service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        centres.MapGet("/{id}", async Task<Results<Ok<WorkCentreDraft>, NotFound>> (string id, WorkCentres service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } centre ? TypedResults.Ok(centre) : TypedResults.NotFound());
        centres.MapPost("/", async Task<Results<Created<WorkCentreDraft>, ProblemHttpResult>> (WorkCentreDraft draft, WorkCentres service, HttpContext http) =>
        {
            var result = await service.CreateAsync(AuditActor.From(http), draft, http.RequestAborted);
            return result.Centre is { } centre
                ? TypedResults.Created($"/api/production/work-centres/{centre.Id}", centre)
                : Refused(result, "The work centre was not created");
        });
        centres.MapPut("/{id}", async Task<Results<Ok<WorkCentreDraft>, NotFound, ProblemHttpResult>> (string id, WorkCentreDraft draft, WorkCentres service, HttpContext http) =>
        {
            var result = await service.UpdateAsync(AuditActor.From(http), id, draft, http.RequestAborted);
            return result.Centre is { } centre ? TypedResults.Ok(centre)
                : result.NotFound ? TypedResults.NotFound()
                : Refused(result, "The work centre was not changed");
        });
        centres.MapDelete("/{id}", async Task<Results<NoContent, NotFound, ProblemHttpResult>> (string id, WorkCentres service, HttpContext http) =>
        {
            var result = await service.DeleteAsync(AuditActor.From(http), id, http.RequestAborted);
            return result.Centre is not null ? TypedResults.NoContent()
                : result.NotFound ? TypedResults.NotFound()
                : Refused(result, "The work centre was not deleted");
        });
        return app;
    }

    private static ProblemHttpResult Refused(WorkCentreResult result, string title) =>
        TypedResults.Problem(string.Join(" ", result.Problems.Select(p => p.Message)), statusCode: StatusCodes.Status422UnprocessableEntity, title: title,
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = result.Problems.GroupBy(p => p.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal),
            });
}
