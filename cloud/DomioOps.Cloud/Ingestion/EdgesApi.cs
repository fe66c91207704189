using DomioOps.Models;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DomioOps.Cloud.Ingestion;

internal static class EdgesApi
{
    /// <summary><c>GET /api/edges/{site}/{edge}</c>: what the cloud has committed from one edge.</summary>
    public static IEndpointRouteBuilder MapEdgesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/edges/{site}/{edge}", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
            EdgeTopics.IsValidId(site) && EdgeTopics.IsValidId(edge)
                ? TypedResults.Ok(await grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge)).GetSnapshot())
                : TypedResults.Problem("site and edge ids are 1-64 of A-Z a-z 0-9 - _ .", statusCode: StatusCodes.Status400BadRequest))
            .WithTags("Edges");
        return app;
    }
}
