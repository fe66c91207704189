using System.Security.Claims;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;
using DomioOps.Models;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The edges, for the edges API and the edges pages alike: the registry with each edge's status; issuing (registering
/// or rotating) and disabling an edge's broker credential, which ends its live session; its remote device configuration
/// and the history of its versions. Reading is for <see cref="SecurityPolicies.Operations"/> (the endpoints and pages
/// check it); every change is for administrators, checked here again with <see cref="SecurityPolicies.Admin"/>, and
/// audited here with the person who made it, whichever door it came by.
/// </summary>
internal sealed class EdgeAdministration(
    IGrainFactory grains,
    EdgeCommands commands,
    EdgeConfigurationKey configurationKey,
    AuditTrail audit,
    IAuthorizationService authorization,
    IServiceScopeFactory scopes)
{
    public const string InvalidIdProblem = "site and edge ids are 1-64 of A-Z a-z 0-9 - _ .";

    public const string KeyMissingProblem = "remote configuration is off: set Broker:ConfigurationKeyPath (the PEM key that signs edge configurations)";

    /// <summary>The sections of the edge's configuration that the cloud may not set: identity, storage, the way back to the cloud and what it trusts.</summary>
    private static readonly string[] LocalOnly = ["Site", "Id", "DataDirectory", "Queue", "Publishing", "RemoteConfiguration"];

    private IEdgeRegistryGrain Registry => grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key);

    /// <summary>The registered edges matching <paramref name="query"/>, by user name, each with its status; <see cref="EdgePage.Total"/> counts every match.</summary>
    public async Task<EdgePage> ListAsync(EdgeQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var registered = (await Registry.List())
            .Where(e => string.IsNullOrWhiteSpace(query.Search) || e.UserName.Contains(query.Search.Trim(), StringComparison.OrdinalIgnoreCase))
            .ToList();
        var status = await Task.WhenAll(registered.Select(e => Edge(e.Site, e.Edge).GetSnapshot()));
        var matching = registered.Zip(status, (e, s) => new EdgeView(e.Site, e.Edge, e.Disabled, s))
            .Where(e => query.Status switch
            {
                EdgeStatusFilter.Online => !e.Disabled && e.Status.Online,
                EdgeStatusFilter.Offline => !e.Disabled && !e.Status.Online,
                EdgeStatusFilter.Disabled => e.Disabled,
                _ => true,
            })
            .ToList();
        var page = matching.Skip(Math.Max(0, query.Skip));
        return new EdgePage([.. query.Take is { } take ? page.Take(take) : page], matching.Count);
    }

    /// <summary>A registered edge with its status; null when no edge of that name is registered.</summary>
    public async Task<EdgeView?> FindAsync(string site, string edge)
    {
        if (!ValidIds(site, edge) || await Registry.Find(site, edge) is not { } registration)
        {
            return null;
        }

        return new EdgeView(site, edge, registration.Disabled, await Edge(site, edge).GetSnapshot());
    }

    /// <summary>The desired configuration (passwords masked, see <see cref="DeviceSecrets"/>) and what the edge last reported about it.</summary>
    public async Task<ConfigurationView> GetConfigurationAsync(string site, string edge)
    {
        var grain = Edge(site, edge);
        var snapshot = await grain.GetSnapshot();
        var desired = await grain.GetDesiredConfiguration();
        return new ConfigurationView(
            desired is null ? null : new DesiredView(desired.Version, DeviceSecrets.Redact(desired.DevicesJson), desired.SetAt),
            snapshot.AppliedConfigVersion,
            snapshot.RejectedConfigVersion,
            snapshot.ConfigErrors);
    }

    /// <summary>The history of desired versions, newest first, each with the user name of the person who set it (null when they are gone).</summary>
    public async Task<IReadOnlyList<ConfigurationHistoryView>> GetHistoryAsync(string site, string edge)
    {
        var history = await Edge(site, edge).GetConfigurationHistory();
        // Only ids are kept with the edge (a person's name is theirs to erase): names are looked up as the history is shown.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in history.Select(h => h.SetBy?.Id).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            names[id] = (await users.FindByIdAsync(id))?.UserName;
        }

        return [.. history.Select(h => new ConfigurationHistoryView(h, h.SetBy?.Id is { } id ? names[id] : null))];
    }

    /// <summary>Registers a new edge: refused when one of that name is registered already (its password is rotated instead).</summary>
    public Task<EdgeChange<EdgeCredentialIssued>> RegisterAsync(ClaimsPrincipal user, string? address, string site, string edge) =>
        IssueAsync(user, address, site, edge, CredentialIssue.New);

    /// <summary>Gives a registered edge a new password (enabling it again if it was disabled) and ends its live session.</summary>
    public Task<EdgeChange<EdgeCredentialIssued>> RotateAsync(ClaimsPrincipal user, string? address, string site, string edge) =>
        IssueAsync(user, address, site, edge, CredentialIssue.Existing);

    /// <summary>The API's <c>POST /api/edges/{site}/{edge}/credentials</c>: registers the edge, or rotates its password.</summary>
    public Task<EdgeChange<EdgeCredentialIssued>> IssueCredentialAsync(ClaimsPrincipal user, string? address, string site, string edge) =>
        IssueAsync(user, address, site, edge, CredentialIssue.Any);

    /// <summary>Disables the edge's credential and ends its live session; returns the registration as it now stands.</summary>
    public async Task<EdgeChange<EdgeRegistration>> DisableAsync(ClaimsPrincipal user, string? address, string site, string edge)
    {
        if (await RefusedAsync<EdgeRegistration>(user, site, edge) is { } refused)
        {
            return refused;
        }

        var known = await Registry.Find(site, edge);
        if (known is null || !await Registry.Disable(site, edge))
        {
            return NotRegistered<EdgeRegistration>(site, edge);
        }

        await commands.EndSessionAsync(site, edge);
        await AuditAsync(user, address, "edge.disabled", site, edge, new { disabled = known.Disabled }, new { disabled = true });
        return known with { Disabled = true };
    }

    /// <summary>
    /// <see cref="SetConfigurationAsync(ClaimsPrincipal, string?, string, string, JsonElement, CancellationToken)"/> from
    /// the text a person typed; text that is not JSON is refused with where it breaks.
    /// </summary>
    public async Task<EdgeChange<ConfigurationAccepted>> SetConfigurationAsync(ClaimsPrincipal user, string? address, string site, string edge, string text, CancellationToken cancellationToken)
    {
        JsonElement devices;
        try
        {
            using var document = JsonDocument.Parse(text ?? "", new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            devices = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return await RefusedAsync<ConfigurationAccepted>(user, site, edge)
                ?? new EdgeChange<ConfigurationAccepted>(null, EdgeChangeError.NotJson, $"the configuration is not JSON: {e.Message}", []);
        }

        return await SetConfigurationAsync(user, address, site, edge, devices, cancellationToken);
    }

    /// <summary>
    /// Stores a new desired device configuration (the devices sections of the edge's <c>Edge</c> configuration; passwords
    /// sent as <see cref="DeviceSecrets.Mask"/> keep the stored ones) and publishes it to the edge, which validates it and
    /// reports back. The cloud checks the shape only.
    /// </summary>
    public async Task<EdgeChange<ConfigurationAccepted>> SetConfigurationAsync(ClaimsPrincipal user, string? address, string site, string edge, JsonElement devices, CancellationToken cancellationToken)
    {
        if (await RefusedAsync<ConfigurationAccepted>(user, site, edge) is { } refused)
        {
            return refused;
        }

        if (devices.ValueKind != JsonValueKind.Object)
        {
            return new(null, EdgeChangeError.NotAnObject, "the body is a JSON object of device sections of the edge's \"Edge\" configuration, e.g. {\"Devices\": [...]}", []);
        }

        var local = devices.EnumerateObject().Select(p => p.Name).Where(name => LocalOnly.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (local.Count > 0)
        {
            return new(null, EdgeChangeError.LocalOnly, $"{string.Join(", ", local)} can be set only in the edge's own configuration file: remove them", local);
        }

        if (!configurationKey.IsConfigured)
        {
            return new(null, EdgeChangeError.KeyMissing, KeyMissingProblem, []);
        }

        var grain = Edge(site, edge);
        var (json, unresolved) = DeviceSecrets.Restore(devices, (await grain.GetDesiredConfiguration())?.DevicesJson);
        if (unresolved.Count > 0)
        {
            return new(null, EdgeChangeError.UnresolvedSecret,
                $"{string.Join(", ", unresolved)}: '{DeviceSecrets.Mask}' stands for a stored password, but none is stored for this device: give the password",
                unresolved);
        }

        var actor = AuditActor.From(user, address);
        var version = await grain.SetDesiredConfiguration(json, new ConfigurationAuthor(actor.Kind, actor.Id));
        // Stored first: an edge that is away, or a broker that is down, gets it at the edge's next birth.
        var published = await commands.PublishConfigurationAsync(site, edge, version, json, cancellationToken);
        await AuditAsync(user, address, "edge.configuration-set", site, edge, null, new { version, published });
        return new ConfigurationAccepted(version, published);
    }

    private async Task<EdgeChange<EdgeCredentialIssued>> IssueAsync(ClaimsPrincipal user, string? address, string site, string edge, CredentialIssue issue)
    {
        if (await RefusedAsync<EdgeCredentialIssued>(user, site, edge) is { } refused)
        {
            return refused;
        }

        var known = await Registry.Find(site, edge);
        if (issue == CredentialIssue.New && known is not null)
        {
            return new(null, EdgeChangeError.AlreadyRegistered, $"{site}/{edge} is registered already: rotate its password instead", []);
        }

        if (issue == CredentialIssue.Existing && known is null)
        {
            return NotRegistered<EdgeCredentialIssued>(site, edge);
        }

        var password = EdgeCredentials.NewPassword();
        await Registry.Register(site, edge, EdgeCredentials.Hash(password));
        // A rotated credential must not leave the old connection running.
        await commands.EndSessionAsync(site, edge);
        await AuditAsync(user, address, known is null ? "edge.registered" : "edge.credential-rotated", site, edge,
            known is null ? null : new { disabled = known.Disabled }, new { disabled = false });
        return new EdgeCredentialIssued($"{site}/{edge}", password, configurationKey.PublicKeyPem);
    }

    /// <summary>A change the caller may not make (not an administrator), or to an edge that cannot exist (its ids are not ids).</summary>
    private async Task<EdgeChange<T>?> RefusedAsync<T>(ClaimsPrincipal user, string site, string edge)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!(await authorization.AuthorizeAsync(user, SecurityPolicies.Admin)).Succeeded)
        {
            return new(null, EdgeChangeError.Forbidden, "only an administrator changes edges", []);
        }

        return ValidIds(site, edge) ? null : new(null, EdgeChangeError.InvalidId, InvalidIdProblem, []);
    }

    // The change is made: its record must not depend on the caller still listening.
    private async Task AuditAsync(ClaimsPrincipal user, string? address, string action, string site, string edge, object? before, object? after) =>
        await audit.AppendAsync(AuditActor.From(user, address), action, "edge", EdgeGrain.Key(site, edge), before, after, CancellationToken.None);

    private static EdgeChange<T> NotRegistered<T>(string site, string edge)
        where T : class => new(null, EdgeChangeError.NotRegistered, $"No edge {site}/{edge} is registered", []);

    public static bool ValidIds(string site, string edge) => EdgeTopics.IsValidId(site ?? "") && EdgeTopics.IsValidId(edge ?? "");

    private IEdgeGrain Edge(string site, string edge) => grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(site, edge));

    private enum CredentialIssue
    {
        Any,
        New,
        Existing,
    }
}

/// <summary>Which registered edges to list: those whose <c>{site}/{edge}</c> contains <paramref name="Search"/>, in <paramref name="Status"/>, a page of them.</summary>
internal sealed record EdgeQuery(string? Search = null, EdgeStatusFilter Status = EdgeStatusFilter.All, int Skip = 0, int? Take = null);

internal enum EdgeStatusFilter
{
    All,
    Online,
    Offline,
    Disabled,
}

/// <summary>A page of edges and how many match in all.</summary>
internal sealed record EdgePage(IReadOnlyList<EdgeView> Items, int Total);

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

/// <summary>A version of the history with the user name of whoever set it (null when unknown or erased).</summary>
internal sealed record ConfigurationHistoryView(ConfigurationHistoryEntry Entry, string? SetByName);

/// <summary>Why a change was refused.</summary>
internal enum EdgeChangeError
{
    Forbidden,
    InvalidId,
    AlreadyRegistered,
    NotRegistered,
    NotJson,
    NotAnObject,
    LocalOnly,
    KeyMissing,
    UnresolvedSecret,
}

/// <summary>
/// What a change made (<see cref="Value"/>), or why it was refused: <see cref="Error"/> for the pages, <see cref="Problem"/>
/// (in English, as the API has always said it) and the configuration keys the refusal names.
/// </summary>
internal sealed record EdgeChange<T>(T? Value, EdgeChangeError? Error, string? Problem, IReadOnlyList<string> Keys)
    where T : class
{
    public bool Succeeded => Error is null;

    public static implicit operator EdgeChange<T>(T value) => new(value, null, null, []);
}
