using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary><c>Authorization: Bearer domio_{id}.{secret}</c>: an integration acting with the roles of the key's user, until the key is revoked.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SecurityDbContext db,
    UserManager<IdentityUser> users,
    IUserClaimsPrincipalFactory<IdentityUser> principals) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Prefix = "domio";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        if (!SecretKeys.TryParse(Prefix, header["Bearer ".Length..].Trim(), out var id, out var secret))
        {
            return AuthenticateResult.Fail("Malformed API key");
        }

        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || !SecretKeys.Matches(secret, key.SecretHash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key");
        }

        var user = await users.FindByIdAsync(key.UserId);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return AuthenticateResult.Fail("The API key's user is locked or gone");
        }

        var principal = await principals.CreateAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaims(
        [
            new Claim(SecurityClaims.CredentialKind, SecurityClaims.ApiKeyCredential),
            new Claim(SecurityClaims.CredentialId, key.Id),
        ]);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(principal.Claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
