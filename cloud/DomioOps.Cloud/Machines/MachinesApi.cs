using System.Security.Claims;

using DomioOps.Cloud.Security;
using DomioOps.Models;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DomioOps.Cloud.Machines;

internal static class MachinesApi
{
    /// <summary><c>GET /api/machines</c> and <c>GET /api/machines/{id}</c>: the live state of the machines.</summary>
    public static IEndpointRouteBuilder MapMachinesApi(this IEndpointRouteBuilder app)
    {
        var machines = app.MapGroup("/api/machines").WithTags("Machines").RequireAuthorization(Security.SecurityPolicies.ShopFloor);
        // A terminal sees only the machines it is bound to (Security/TerminalScope.cs).
        machines.MapGet("/", async (IGrainFactory grains, ClaimsPrincipal user) =>
        {
            var ids = await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).GetMachineIds();
            var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
            return snapshots.OfType<MachineSnapshot>().Where(m => TerminalScope.Sees(user, m)).ToList();
        });
        machines.MapGet("/{id}", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (!EdgeTopics.IsValidId(id))
            {
                return TypedResults.Problem($"'{id}' is not a machine id (1-64 of A-Z a-z 0-9 - _ .)", statusCode: StatusCodes.Status400BadRequest);
            }

            return await grains.GetGrain<IMachineGrain>(id).GetSnapshot() is { } machine && TerminalScope.Sees(user, machine)
                ? TypedResults.Ok(machine)
                : TypedResults.Problem($"No machine '{id}' has reported", statusCode: StatusCodes.Status404NotFound);
        });
        return app;
    }
}
