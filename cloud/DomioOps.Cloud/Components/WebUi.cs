using System.Globalization;
using System.Reflection;

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Localization;

using Radzen;

namespace DomioOps.Cloud.Components;

/// <summary>
/// The web application: Razor components rendered on the server (static by default, Interactive Server for live pages),
/// Radzen components, Russian and English from <c>Resources/Ui*.resx</c>, the person's language in a cookie and in
/// their account.
/// </summary>
internal static class WebUi
{
    /// <summary>The largest message a browser may send on its circuit (SignalR's default is 32 KB).</summary>
    public const long MaxCircuitMessageBytes = 1024 * 1024;

    public static WebApplicationBuilder AddWebUi(this WebApplicationBuilder builder)
    {
        // Run from the build output (./domio run, the tests) as well as published: the packages' assets (Radzen's theme)
        // are found through the build's static web assets manifest; a published host has them in wwwroot and no manifest.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        // A live page starts its circuit with the state it persisted while prerendering (the machine page: its day's
        // strips, alarms and trend). Past SignalR's default 32 KB for a message from the browser, the server closes the
        // connection and the page never goes live (dotnet/aspnetcore#44935): the likely cause of the machine page's chart
        // staying empty now and then in the end-to-end test, whose state grows as the day's data does. 1 MB still bounds
        // what one browser can send, and no page of ours comes near it.
        services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(hub => hub.MaximumReceiveMessageSize = MaxCircuitMessageBytes);
        services.AddRadzenComponents();
        services.AddLocalization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        services.AddHttpContextAccessor();
        services.AddScoped<PersonAccount>();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            CultureInfo[] cultures = [.. UiCulture.Supported.Select(CultureInfo.GetCultureInfo)];
            options.DefaultRequestCulture = new RequestCulture(UiCulture.Supported[0]);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            // The person's choice (a cookie, restored from their account at sign-in), else the browser's languages.
            options.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return builder;
    }

    /// <summary>Before authentication: the culture of every request, pages and API alike.</summary>
    public static WebApplication UseWebUiCulture(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>The pages, their static assets (public, as the page shells are) and the language switch.</summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapPost(UiCulture.Path, UiCulture.ChooseAsync).AllowAnonymous().DisableRequestTimeout();
        app.MapPost(SignOutPath, SignOutAsync).RequireAuthorization(SecurityPolicies.SignedIn);
        var pages = app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        // The circuit of a live page: any signed-in person (each page checks its own policy); pages keep the closed fallback.
        pages.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText?.StartsWith("/_blazor", StringComparison.Ordinal) == true)
            {
                route.Metadata.Add(new AuthorizeAttribute(SecurityPolicies.SignedIn));
                // Opening and closing a circuit changes nothing: what a live page changes, its service audits in detail.
                route.Metadata.Add(Audit.AuditsItself.Instance);
            }
        });
        return app;
    }

    public const string SignOutPath = "/sign-out";

    private static async Task<IResult> SignOutAsync(PersonAccount account, HttpContext http)
    {
        await account.SignOutAsync(http.User);
        UiCulture.Forget(http);
        return TypedResults.LocalRedirect(SignInPath);
    }

    public const string SignInPath = "/sign-in";

    public const string AccountPath = "/account";

    public const string AccessDeniedPath = "/access-denied";

    /// <summary>
    /// Whether a request is for the application's pages (which redirect to sign-in) rather than for a program: the API,
    /// the hubs, the live pages' circuit and the API's description answer 401/403.
    /// </summary>
    public static bool IsPage(HttpRequest request) =>
        !SecurityExtensions.IsApi(request.HttpContext)
        && !request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the page <paramref name="http"/> renders is live (Interactive Server): only those load Blazor's script.</summary>
    public static bool IsInteractive(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type.GetCustomAttribute<RenderModeAttribute>(inherit: true) is not null;

    /// <summary>A return address that stays on this site (a path, not <c>//host</c> or a scheme), else <c>/</c>.</summary>
    public static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
