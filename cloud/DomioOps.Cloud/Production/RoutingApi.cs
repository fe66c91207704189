using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Production;

/// <summary><c>PUT /api/production/parts/{partId}/routing</c>: a planner changes a part's routing (the steps not yet started).</summary>
internal static class RoutingApi
{
    internal sealed record RoutingRequest(IReadOnlyList<RoutingStep>? Steps);

    internal sealed record RoutingStepView(long Id, int Step, string WorkCentreId, OperationState State, decimal SetupMinutes, decimal CycleSeconds);

    public static IEndpointRouteBuilder MapRoutingApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/production/parts/{partId}/routing", async Task<Results<Ok<List<RoutingStepView>>, NotFound, ProblemHttpResult>> (
                long partId, RoutingRequest request, RoutingEditor editor, HttpContext http) =>
            {
                var (routing, problem) = await editor.ReplaceAsync(AuditActor.From(http), partId, request.Steps ?? [], http.RequestAborted);
                if (routing is not null)
                {
                    return TypedResults.Ok(routing.Select(o => new RoutingStepView(o.Id, o.Step, o.WorkCentreId, o.State, o.SetupMinutes, o.CycleSeconds)).ToList());
                }

                return problem is null ? TypedResults.NotFound() : TypedResults.Problem(problem, statusCode: StatusCodes.Status422UnprocessableEntity);
            })
            .WithTags("Production").RequireAuthorization(SecurityPolicies.ProductionOffice).WithMetadata(AuditsItself.Instance);
        return app;
    }
}
