using System.Security.Claims;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace DomioOps.Cloud.Components;

/// <summary>
/// The language a person chose: kept in the culture cookie for this browser and, for a signed-in person, as a claim of
/// their account, from which the cookie is restored at their next sign-in on any browser.
/// </summary>
internal static class UiCulture
{
    /// <summary>The languages of the application; the first is the default.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["en", "ru"];

    public const string Path = "/culture";

    /// <summary>The claim of the account that holds the chosen language.</summary>
    public const string ClaimType = "domio:culture";

    public static async Task<IResult> ChooseAsync([FromForm] string culture, [FromForm] string? returnUrl, HttpContext http, UserManager<IdentityUser> users)
    {
        if (!Supported.Contains(culture, StringComparer.Ordinal))
        {
            return TypedResults.Problem($"'{culture}' is not a language of DomioOps; one of {string.Join(", ", Supported)}", statusCode: StatusCodes.Status400BadRequest);
        }

        Remember(http, culture);
        if (http.User.Identity?.IsAuthenticated == true && http.User.FindFirstValue(Security.SecurityClaims.CredentialKind) is null
            && await users.GetUserAsync(http.User) is { } user)
        {
            await StoreAsync(users, user, culture);
        }

        return TypedResults.LocalRedirect(WebUi.LocalPath(returnUrl));
    }

    /// <summary>At sign-in: the language stored in the account, if any, becomes this browser's.</summary>
    public static async Task RestoreAsync(HttpContext http, UserManager<IdentityUser> users, IdentityUser user)
    {
        var stored = (await users.GetClaimsAsync(user)).FirstOrDefault(c => c.Type == ClaimType)?.Value;
        if (stored is not null && Supported.Contains(stored, StringComparer.Ordinal))
        {
            Remember(http, stored);
        }
    }

    /// <summary>At sign-out: the next person at this browser starts from their own languages.</summary>
    public static void Forget(HttpContext http) => http.Response.Cookies.Delete(CookieRequestCultureProvider.DefaultCookieName);

    private static void Remember(HttpContext http, string culture) => http.Response.Cookies.Append(
        CookieRequestCultureProvider.DefaultCookieName,
        CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
        new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Path = "/" });

    private static async Task StoreAsync(UserManager<IdentityUser> users, IdentityUser user, string culture)
    {
        var old = (await users.GetClaimsAsync(user)).Where(c => c.Type == ClaimType).ToList();
        if (old.Count > 0)
        {
            await users.RemoveClaimsAsync(user, old);
        }

        await users.AddClaimAsync(user, new Claim(ClaimType, culture));
    }
}
