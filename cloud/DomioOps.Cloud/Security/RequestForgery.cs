using System.Security.Claims;

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Security;

/// <summary>
/// Antiforgery tokens on the state-changing API calls a cookie session makes (SameSite=Strict already keeps cross-site
/// requests from carrying the cookie; the token also holds when it does not, e.g. a sibling subdomain). The page asks
/// <see cref="Path"/> once for a token and sends it in <see cref="HeaderName"/>. API keys and the anonymous sign-in
/// doors need none: a bearer key is never sent by a browser on its own.
/// </summary>
internal static class RequestForgery
{
    public const string Path = "/api/account/antiforgery";
    public const string HeaderName = "X-CSRF-TOKEN";
    public const string CookieName = "domio.csrf";

    internal sealed record Token(string HeaderName, string Value);

    public static IServiceCollection AddRequestForgery(this IServiceCollection services) => services.AddAntiforgery(options =>
    {
        options.HeaderName = HeaderName;
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
    });

    public static IEndpointRouteBuilder MapRequestForgeryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (IAntiforgery antiforgery, HttpContext http) => TypedResults.Ok(new Token(HeaderName, antiforgery.GetAndStoreTokens(http).RequestToken!)))
            .WithTags("Account").RequireAuthorization(SecurityPolicies.SignedIn);
        return app;
    }

    /// <summary>After authorization: a caller not admitted hears 401/403, not a missing token.</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (NeedsToken(context) && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            await TypedResults.Problem($"Missing or invalid antiforgery token: send the one from GET {Path} in the {HeaderName} header",
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static bool NeedsToken(HttpContext context)
    {
        var method = context.Request.Method;
        return !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
            && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null
            && context.User.Identity?.IsAuthenticated == true
            && context.User.FindFirstValue(SecurityClaims.CredentialKind) != SecurityClaims.ApiKeyCredential;
    }
}
