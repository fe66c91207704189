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
        edges.MapGet("/configuration-key", (EdgeConfigurationKey key) =>
            key.PublicKeyPem is { } pem
                ? (IResult)TypedResults.Text(pem, "application/x-pem-file")
                : TypedResults.Problem(KeyMissing, statusCode: StatusCodes.Status404NotFound));
        edges.MapPost("/{site}/{edge}/credentials", async Task<IResult> (string site, string edge, IGrainFactory grains, EdgeCommands commands, EdgeConfigurationKey key) =>
        {
            if (Invalid(site, edge) is { } invalid)
            {
                return invalid;
            }

            var password = EdgeCredentials.NewPassword();
            await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Register(site, edge, EdgeCredentials.Hash(password));
            // A rotated credential must not leave the old connection running.
            await commands.EndSessionAsync(site, edge);
            return TypedResults.Ok(new EdgeCredentialIssued($"{site}/{edge}", password, key.PublicKeyPem));
        }).RequireAuthorization(Security.SecurityPolicies.Admin);
        edges.MapDelete("/{site}/{edge}", async Task<IResult> (string site, string edge, IGrainFactory grains, EdgeCommands commands) =>
        {
            if (Invalid(site, edge) is { } invalid)
            {
                return invalid;
            }

            if (!await grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Disable(site, edge))
            {
                return TypedResults.Problem($"No edge {site}/{edge} is registered", statusCode: StatusCodes.Status404NotFound);
            }

            await commands.EndSessionAsync(site, edge);
            return TypedResults.NoContent();
        }).RequireAuthorization(Security.SecurityPolicies.Admin);
        edges.MapGet("/{site}/{edge}/configuration", async Task<IResult> (string site, string edge, IGrainFactory grains) =>
        {
            if (Invalid(site, edge) is { } invalid)
            {
                return invalid;
            }

            var grain = grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge));
            var snapshot = await grain.GetSnapshot();
            var desired = await grain.GetDesiredConfiguration();
            return TypedResults.Ok(new ConfigurationView(
                desired is null ? null : new DesiredView(desired.Version, DeviceSecrets.Redact(desired.DevicesJson), desired.SetAt),
                snapshot.AppliedConfigVersion,
                snapshot.RejectedConfigVersion,
                snapshot.ConfigErrors));
        });
        edges.MapPut("/{site}/{edge}/configuration", async Task<IResult> (string site, string edge, JsonElement devices, IGrainFactory grains, EdgeCommands commands, EdgeConfigurationKey key, CancellationToken cancellationToken) =>
        {
            if ((Invalid(site, edge) ?? InvalidConfiguration(devices)) is { } invalid)
            {
                return invalid;
            }

            if (!key.IsConfigured)
            {
                return TypedResults.Problem(KeyMissing, statusCode: StatusCodes.Status409Conflict);
            }

            var grain = grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge));
            var (json, unresolved) = DeviceSecrets.Restore(devices, (await grain.GetDesiredConfiguration())?.DevicesJson);
            if (unresolved.Count > 0)
            {
                return TypedResults.Problem(
                    $"{string.Join(", ", unresolved)}: '{DeviceSecrets.Mask}' stands for a stored password, but none is stored for this device: give the password",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            var version = await grain.SetDesiredConfiguration(json);
            // Stored first: an edge that is away, or a broker that is down, gets it at the edge's next birth.
            var published = await commands.PublishConfigurationAsync(site, edge, version, json, cancellationToken);
            return TypedResults.Accepted($"/api/edges/{site}/{edge}/configuration", new ConfigurationAccepted(version, published));
        }).RequireAuthorization(Security.SecurityPolicies.Admin);
        return app;
    }

    private const string KeyMissing = "remote configuration is off: set Broker:ConfigurationKeyPath (the PEM key that signs edge configurations)";

    /// <summary>The sections of the edge's configuration that the cloud may not set: identity, storage, the way back to the cloud and what it trusts.</summary>
    private static readonly string[] LocalOnly = ["Site", "Id", "DataDirectory", "Queue", "Publishing", "RemoteConfiguration"];

    /// <summary>The shape only; the edge validates the content as it validates its configuration file and reports errors back.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? InvalidConfiguration(JsonElement devices)
    {
        if (devices.ValueKind != JsonValueKind.Object)
        {
            return TypedResults.Problem("the body is a JSON object of device sections of the edge's \"Edge\" configuration, e.g. {\"Devices\": [...]}", statusCode: StatusCodes.Status400BadRequest);
        }

        var local = devices.EnumerateObject().Select(p => p.Name).Where(name => LocalOnly.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        return local.Count == 0
            ? null
            : TypedResults.Problem($"{string.Join(", ", local)} can be set only in the edge's own configuration file: remove them", statusCode: StatusCodes.Status400BadRequest);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Invalid(string site, string edge) =>
        EdgeTopics.IsValidId(site) && EdgeTopics.IsValidId(edge)
            ? null
            : TypedResults.Problem("site and edge ids are 1-64 of A-Z a-z 0-9 - _ .", statusCode: StatusCodes.Status400BadRequest);

    internal sealed record EdgeView(string Site, string Edge, bool Disabled, EdgeSnapshot Status);

    /// <summary>The desired configuration (null when none was set) and what the edge last reported about it.</summary>
    internal sealed record ConfigurationView(DesiredView? Desired, ulong AppliedVersion, ulong RejectedVersion, IReadOnlyList<string> Errors);

    /// <summary>The desired devices, passwords masked (<see cref="DeviceSecrets"/>).</summary>
    internal sealed record DesiredView(ulong Version, System.Text.Json.Nodes.JsonNode? Devices, DateTimeOffset SetAt);

    /// <summary>The stored version; <paramref name="Published"/> is false when no broker took it yet (the edge gets it at its next birth).</summary>
    internal sealed record ConfigurationAccepted(ulong Version, bool Published);

    /// <summary>
    /// The MQTT user name and password for the edge's configuration (the password is not stored and not shown again), and
    /// the public key the edge pins to accept only this cloud's configurations (null while remote configuration is off).
    /// </summary>
    internal sealed record EdgeCredentialIssued(string UserName, string Password, string? ConfigurationKey);
}
