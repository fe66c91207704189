using System.Security.Claims;

using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>Met unless the person holds a role in <see cref="SecurityOptions.RequireTwoFactorRoles"/> and signed in without a second factor.</summary>
internal sealed class TwoFactorRequirement : IAuthorizationRequirement;

internal sealed class TwoFactorRequirementHandler(IOptionsMonitor<SecurityOptions> options) : AuthorizationHandler<TwoFactorRequirement>
{
    /// <summary>The claim Identity adds when a sign-in went through a second factor.</summary>
    public const string AuthenticationMethodClaim = "amr";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TwoFactorRequirement requirement)
    {
        if (IsSatisfied(context.User, options.CurrentValue))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public static bool IsSatisfied(ClaimsPrincipal user, SecurityOptions options) =>
        // API keys and terminals are not people signing in: their secret is the credential.
        user.HasClaim(c => c.Type == SecurityClaims.CredentialKind && c.Value != SecurityClaims.PasswordCredential)
        || user.HasClaim(AuthenticationMethodClaim, "mfa")
        || !options.TwoFactorRoles.Any(user.IsInRole);
}
