using DomioOps.Models;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DomioOps.Cloud.Ingestion;

internal static class EdgesApi
{
    /// <summary>
    /// The edges: <c>GET /api/edges</c> (registry and ingestion status), <c>GET /api/edges/{site}/{edge}</c>,
    /// <c>POST /api/edges/{site}/{edge}/credentials</c> (registers or rotates; the new password is shown once)
    /// and <c>DELETE /api/edges/{site}/{edge}</c> (disables it).
    /// </summary>
    public static IEndpointRouteBuilder MapEdgesApi(this IEndpointRouteBuilder app)
    {
        // Reading edges is for operations; issuing and disabling their credentials is for administrators.
        var edges = app.MapGroup("/api/edges").WithTags("Edges").RequireAuthorization(Security.SecurityPolicies.Operations);
        edges.MapGet("/", async (IGrainFactory grains) =>
        {
            var registered = await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).List();
            var status = await Task.WhenAll(registered.Select(e => grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(e.Site, e.Edge)).GetSnapshot()));
            return registered.Zip(status, (e, s) => new EdgeView(e.Site, e.Edge, e.Disabled, s)).ToList();
        });
        edges.MapGet("/{site}/{edge}", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
            Invalid(site, edge) ?? (IResult)TypedResults.Ok(await grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge)).GetSnapshot()));
        edges.MapPost("/{site}/{edge}/credentials", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
        {
            if (Invalid(site, edge) is { } invalid)
            {
                return invalid;
            }

            var password = EdgeCredentials.NewPassword();
            await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Register(site, edge, EdgeCredentials.Hash(password));
            return TypedResults.Ok(new EdgeCredentialIssued($"{site}/{edge}", password));
        }).RequireAuthorization(Security.SecurityPolicies.Admin);
        edges.MapDelete("/{site}/{edge}", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
            Invalid(site, edge) ?? (await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Disable(site, edge)
                ? (IResult)TypedResults.NoContent()
                : TypedResults.Problem($"No edge {site}/{edge} is registered", statusCode: StatusCodes.Status404NotFound)))
            .RequireAuthorization(Security.SecurityPolicies.Admin);
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Invalid(string site, string edge) =>
        EdgeTopics.IsValidId(site) && EdgeTopics.IsValidId(edge)
            ? null
            : TypedResults.Problem("site and edge ids are 1-64 of A-Z a-z 0-9 - _ .", statusCode: StatusCodes.Status400BadRequest);

    internal sealed record EdgeView(string Site, string Edge, bool Disabled, EdgeSnapshot Status);

    /// <summary>The MQTT user name and password for the edge's configuration; the password is not stored and not shown again.</summary>
    internal sealed record EdgeCredentialIssued(string UserName, string Password);
}
