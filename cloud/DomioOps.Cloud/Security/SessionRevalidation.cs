using System.Security.Claims;

using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// A live page's circuit outlives the request that opened it: its person is checked against their security stamp as
/// often as a session cookie is (<see cref="SecurityOptions.SessionCheckInterval"/>), so a lock, a role change or a
/// deletion ends the circuit's access as it ends the cookie's. A static page needs none of it: its request's cookie was
/// checked when it came in, and the page may itself renew the stamp (a password change) while it renders.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IHttpContextAccessor accessor, IOptions<SecurityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <summary>At least a second: a check on every request (an interval of zero, as the tests use) would be a busy loop here.</summary>
    protected override TimeSpan RevalidationInterval =>
        options.Value.SessionCheckInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Value.SessionCheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (principal.FindFirstValue(SecurityClaims.CredentialKind) is not null || IsStaticRender())
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.GetUserAsync(principal) is not { } user || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        var stamp = principal.FindFirstValue(users.Options.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }

    /// <summary>A page rendered for one request, not a live page's circuit (whose requests go to <c>/_blazor</c>).</summary>
    private bool IsStaticRender() =>
        accessor.HttpContext is { } http && !http.Request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);
}
