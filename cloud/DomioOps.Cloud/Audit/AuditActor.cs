using System.Security.Claims;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Audit;

/// <summary>Who made a change: a person, an integration (API key), a terminal (and the operator at it), or the system itself.</summary>
internal sealed record AuditActor(string Kind, string? Id, string? Address)
{
    public static AuditActor System { get; } = new("system", null, null);

    /// <summary>The caller of <paramref name="http"/>: kind <c>person</c>, <c>api-key:{id}</c>, <c>terminal:{id}</c> or <c>anonymous</c>; the id is a user id.</summary>
    public static AuditActor From(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return From(http.User, http.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>
    /// The person (or key, or terminal) of <paramref name="user"/> from <paramref name="address"/>: for a live page, whose
    /// circuit has no HTTP request of its own (the page keeps the address it was opened from).
    /// </summary>
    public static AuditActor From(ClaimsPrincipal user, string? address)
    {
        ArgumentNullException.ThrowIfNull(user);
        var credential = user.FindFirstValue(SecurityClaims.CredentialKind);
        var credentialId = user.FindFirstValue(SecurityClaims.CredentialId);
        return credential switch
        {
            SecurityClaims.ApiKeyCredential => new($"api-key:{credentialId}", user.FindFirstValue(ClaimTypes.NameIdentifier), address),
            SecurityClaims.TerminalCredential => new($"terminal:{credentialId}", user.FindFirstValue(SecurityClaims.OperatorId), address),
            _ when user.Identity?.IsAuthenticated == true => new("person", user.FindFirstValue(ClaimTypes.NameIdentifier), address),
            _ => new("anonymous", null, address),
        };
    }
}
