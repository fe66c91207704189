using System.Collections.Concurrent;
using System.Security.Claims;

using DomioOps.Cloud.Machines;

using Microsoft.AspNetCore.SignalR;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The SignalR connections open on this silo, so that a revocation ends them: a hub connection is authorized once, when
/// it opens, and would otherwise outlive a role change, a lock, a deletion or a revoked key or terminal.
/// </summary>
internal sealed class HubSessions
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new(StringComparer.Ordinal);

    public void Add(HubCallerContext connection) => _connections[connection.ConnectionId] = connection;

    public void Remove(HubCallerContext connection) => _connections.TryRemove(connection.ConnectionId, out _);

    /// <summary>Aborts every connection held by <paramref name="subject"/> (see <see cref="Subjects"/>); returns how many.</summary>
    public int End(string subject)
    {
        var ended = 0;
        foreach (var connection in _connections.Values)
        {
            if (connection.User is { } user && Subjects(user).Contains(subject, StringComparer.Ordinal))
            {
                connection.Abort();
                ended++;
            }
        }

        return ended;
    }

    /// <summary>Who a connection belongs to: the user id (a person or an API key's user), and the API key or terminal.</summary>
    public static IEnumerable<string> Subjects(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id)
        {
            yield return id;
        }

        if (user.FindFirstValue(SecurityClaims.CredentialKind) is { } kind && user.FindFirstValue(SecurityClaims.CredentialId) is { } credential)
        {
            yield return Subject(kind, credential);
        }
    }

    public static string Subject(string credentialKind, string credentialId) => $"{credentialKind}:{credentialId}";
}

/// <summary>Ends a subject's hub connections on every silo: here at once, elsewhere through the machine feed's fan-out.</summary>
internal sealed partial class SessionRevocation(HubSessions local, IGrainFactory grains, ILogger<SessionRevocation> logger)
{
    public Task EndUserAsync(string userId) => EndAsync(userId);

    public Task EndCredentialAsync(string credentialKind, string credentialId) => EndAsync(HubSessions.Subject(credentialKind, credentialId));

    private async Task EndAsync(string subject)
    {
        local.End(subject);
        try
        {
            await grains.GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key).EndSessions(subject);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // The revocation is stored and every request is checked against it; only hub connections open on other silos live on.
            LogFanOutFailed(subject, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other silos to end the hub connections of {Subject} ({Reason})")]
    private partial void LogFanOutFailed(string subject, string reason);
}
