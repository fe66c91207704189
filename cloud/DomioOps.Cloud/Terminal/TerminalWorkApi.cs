using System.Security.Claims;

using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Terminal;

/// <summary>
/// <c>/api/terminal</c>: what the operator terminal works with — its queue and machines, and every operator action,
/// applied exactly once by its idempotency key (the terminal's offline outbox replays them in order).
/// </summary>
internal static class TerminalWorkApi
{
    /// <summary>Set on the answer to a replayed action: it is the first answer again, and nothing was applied twice.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    internal sealed record WorkResponse(
        TerminalInfo Terminal,
        OperatorInfo? Operator,
        IReadOnlyList<WorkCentreView> WorkCentres,
        IReadOnlyList<TerminalMachine> Machines,
        IReadOnlyList<OperationView> Queue,
        IReadOnlyList<OpenStop> OpenStops,
        double StopReasonAfterSeconds,
        IReadOnlyList<string> ScrapReasons,
        IReadOnlyList<string> StopReasons);

    internal sealed record TerminalInfo(string Id, string Name, string Binding);

    internal sealed record OperatorInfo(string Id, string Name);

    internal sealed record ActionResponse(OperationView? Operation);

    public static IEndpointRouteBuilder MapTerminalWorkApi(this IEndpointRouteBuilder app)
    {
        // The actions are production records of their own (operator, terminal, time), not audit entries: 200 terminals
        // acting every second would serialise on the audit chain's lock.
        var terminal = app.MapGroup("/api/terminal").WithTags("Terminal").RequireAuthorization(SecurityPolicies.Terminal)
            .WithMetadata(Audit.AuditsItself.Instance);
        terminal.MapGet("/work", async (ShopFloor shopFloor, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var actor = Actor(user);
            var work = await shopFloor.WorkAsync(actor, ct);
            return TypedResults.Ok(new WorkResponse(
                new TerminalInfo(actor.TerminalId, user.FindFirstValue(ClaimTypes.Name) ?? "", actor.Binding),
                actor.OperatorId is { } id ? new OperatorInfo(id, user.FindFirstValue(SecurityClaims.OperatorName) ?? id) : null,
                work.WorkCentres, work.Machines, work.Queue, work.OpenStops, work.StopReasonAfterSeconds,
                [.. Enum.GetValues<ScrapReason>().Select(ShopFloor.Wire)], [.. Enum.GetValues<StopReason>().Select(ShopFloor.Wire)]));
        });
        terminal.MapGet("/parts/{partId}", async Task<Results<Ok<OperationView>, NotFound>> (long partId, ShopFloor shopFloor, ClaimsPrincipal user, CancellationToken ct) =>
            await shopFloor.PartOperationAsync(Actor(user), partId, ct) is { } operation ? TypedResults.Ok(operation) : TypedResults.NotFound());
        terminal.MapPost("/actions", async Task<Results<Ok<ActionResponse>, ProblemHttpResult>> (ShopFloorAction action, ShopFloor shopFloor, ClaimsPrincipal user, HttpContext http) =>
        {
            if (action.Key == Guid.Empty)
            {
                return TypedResults.Problem("key (a UUID the terminal makes per action) is required: it makes a replay change nothing.", statusCode: StatusCodes.Status400BadRequest);
            }

            var outcome = await shopFloor.ApplyAsync(Actor(user), action, http.RequestAborted);
            if (outcome.Replayed)
            {
                http.Response.Headers[ReplayedHeader] = "true";
            }

            return outcome.Status == StatusCodes.Status200OK
                ? TypedResults.Ok(new ActionResponse(outcome.Operation))
                : TypedResults.Problem(outcome.Problem, statusCode: outcome.Status);
        });
        return app;
    }

    private static ShopFloorActor Actor(ClaimsPrincipal user) => new(
        user.FindFirstValue(SecurityClaims.CredentialId)!,
        TerminalScope.Binding(user)!,
        user.FindFirstValue(SecurityClaims.OperatorId));
}
