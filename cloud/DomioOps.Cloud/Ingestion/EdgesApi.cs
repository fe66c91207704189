using System.Text.Json;

using DomioOps.Models;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DomioOps.Cloud.Ingestion;

internal static class EdgesApi
{
    /// <summary>
    /// The edges: <c>GET /api/edges</c> (registry and ingestion status), <c>GET /api/edges/{site}/{edge}</c>,
    /// <c>POST /api/edges/{site}/{edge}/credentials</c> (registers or rotates; the new password is shown once),
    /// <c>DELETE /api/edges/{site}/{edge}</c> (disables it; rotating or disabling ends the edge's live MQTT session),
    /// the edge's remote device configuration: <c>GET</c>/<c>PUT /api/edges/{site}/{edge}/configuration</c> (desired,
    /// with passwords masked, and what the edge reported), and <c>GET /api/edges/configuration-key</c>, the public key
    /// edges pin to check that a configuration comes from this cloud.
    /// </summary>
    public static IEndpointRouteBuilder MapEdgesApi(this IEndpointRouteBuilder app)
    {
        // Reading edges is for operations; issuing and disabling their credentials is for administrators. The changes are
        // audited in detail by EdgeAdministration, which the edges pages call too.
        var edges = app.MapGroup("/api/edges").WithTags("Edges").RequireAuthorization(Security.SecurityPolicies.Operations).WithMetadata(Audit.AuditsItself.Instance);
        edges.MapGet("/", async (EdgeAdministration administration) => (await administration.ListAsync(new EdgeQuery())).Items);
        edges.MapGet("/{site}/{edge}", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
            Invalid(site, edge) ?? (IResult)TypedResults.Ok(await grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge)).GetSnapshot()));
        edges.MapGet("/configuration-key", (EdgeConfigurationKey key) =>
            key.PublicKeyPem is { } pem
                ? (IResult)TypedResults.Text(pem, "application/x-pem-file")
                : TypedResults.Problem(EdgeAdministration.KeyMissingProblem, statusCode: StatusCodes.Status404NotFound));
        edges.MapPost("/{site}/{edge}/credentials", async Task<IResult> (string site, string edge, EdgeAdministration administration, HttpContext http) =>
            Result(await administration.IssueCredentialAsync(http.User, Address(http), site, edge), TypedResults.Ok))
            .RequireAuthorization(Security.SecurityPolicies.Admin);
        edges.MapDelete("/{site}/{edge}", async Task<IResult> (string site, string edge, EdgeAdministration administration, HttpContext http) =>
            Result(await administration.DisableAsync(http.User, Address(http), site, edge), _ => TypedResults.NoContent()))
            .RequireAuthorization(Security.SecurityPolicies.Admin);
        edges.MapGet("/{site}/{edge}/configuration", async Task<IResult> (string site, string edge, EdgeAdministration administration) =>
            Invalid(site, edge) ?? (IResult)TypedResults.Ok(await administration.GetConfigurationAsync(site, edge)));
        edges.MapPut("/{site}/{edge}/configuration", async Task<IResult> (string site, string edge, JsonElement devices, EdgeAdministration administration, HttpContext http, CancellationToken cancellationToken) =>
            Result(
                await administration.SetConfigurationAsync(http.User, Address(http), site, edge, devices, cancellationToken),
                accepted => TypedResults.Accepted($"/api/edges/{site}/{edge}/configuration", accepted)))
            .RequireAuthorization(Security.SecurityPolicies.Admin);
        return app;
    }

    private static string? Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static IResult Result<T>(EdgeChange<T> change, Func<T, IResult> succeeded)
        where T : class =>
        change.Value is { } value
            ? succeeded(value)
            : TypedResults.Problem(change.Problem, statusCode: change.Error switch
            {
                EdgeChangeError.Forbidden => StatusCodes.Status403Forbidden,
                EdgeChangeError.NotRegistered => StatusCodes.Status404NotFound,
                EdgeChangeError.KeyMissing => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            });

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Invalid(string site, string edge) =>
        EdgeAdministration.ValidIds(site, edge) ? null : TypedResults.Problem(EdgeAdministration.InvalidIdProblem, statusCode: StatusCodes.Status400BadRequest);
}
