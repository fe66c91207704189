using System.Security.Claims;
using System.Threading.RateLimiting;

using DomioOps.Cloud.Cluster;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

internal static class SecurityExtensions
{
    /// <summary>Picks the scheme per request: an API key, a terminal's cookie, or a person's cookie.</summary>
    public const string Scheme = "Domio";

    /// <summary>Rate-limiter policy of the sign-in endpoints (per client address).</summary>
    public const string SignInLimit = "sign-in";

    /// <summary>
    /// Identity on PostgreSQL (users, roles, lockout, TOTP two-factor), cookie sign-in for people and terminals, API keys for
    /// integrations, role policies with a closed fallback, data protection keys shared through PostgreSQL, rate limits and
    /// request size limits. Registered after the cluster, whose start creates the schema.
    /// </summary>
    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDbContext<SecurityDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<IOptions<SiloOptions>>().Value.ConnectionString));

        services.AddIdentityCore<IdentityUser>()
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SecurityDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<TotpTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddOptions<IdentityOptions>().Configure<IOptions<SecurityOptions>>((identity, security) =>
        {
            identity.Password.RequiredLength = security.Value.RequiredPasswordLength;
            identity.Password.RequireDigit = true;
            identity.Password.RequireLowercase = true;
            identity.Password.RequireUppercase = true;
            identity.Password.RequireNonAlphanumeric = false;
            identity.Lockout.AllowedForNewUsers = true;
            identity.Lockout.MaxFailedAccessAttempts = security.Value.MaxFailedAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = security.Value.LockoutDuration;
            identity.User.RequireUniqueEmail = false;
        });

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "API key, terminal or person", options => options.ForwardDefaultSelector = SelectScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(TerminalSession.Scheme, options =>
            {
                ConfigureCookie(options, TerminalSession.CookieName, TimeSpan.FromHours(12));
                options.Events.OnValidatePrincipal = TerminalSession.ValidateAsync;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(options => ConfigureCookie(options, "domio.auth", TimeSpan.FromHours(8)));
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, options => options.Cookie.SameSite = SameSiteMode.Strict);

        services.AddAuthorization(SecurityPolicies.Configure);
        services.AddSingleton<IAuthorizationHandler, TwoFactorRequirementHandler>();

        var keyRing = services.AddDataProtection().SetApplicationName("DomioOps").PersistKeysToDbContext<SecurityDbContext>();
        if (KeyRingCertificate.Load(builder.Configuration, builder.Environment) is { } certificate)
        {
            keyRing.ProtectKeysWithCertificate(certificate);
        }

        // A role change, lock or deletion changes the security stamp; a session cookie is checked against it this often.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<SecurityOptions>>((stamp, security) =>
        {
            stamp.ValidationInterval = security.Value.SessionCheckInterval;
            stamp.OnRefreshingPrincipal = KeepSignInClaims;
        });
        builder.AddTransportSecurity();
        services.AddRequestForgery();

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<SecurityOptions>>((kestrel, security) =>
        {
            kestrel.Limits.MaxRequestBodySize = security.Value.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((limiter, security) => ConfigureRateLimits(limiter, security.Value.RateLimits));

        services.AddSingleton<UserRateLimit>();
        services.AddHostedService<InitialAdmin>();
        services.AddSingleton<BadgeKey>();
        services.AddHostedService(sp => sp.GetRequiredService<BadgeKey>());
        services.AddScoped<TerminalSession>();
        services.AddScoped<TerminalLockouts>();
        services.AddSingleton<SessionRevocation>();
        services.AddSingleton<PeopleAdministration>();
        services.AddSingleton<TerminalAdministration>();
        return builder;
    }

    /// <summary>
    /// Rate limits per address (before authentication: a flood of bad API keys costs no database look-up), authentication,
    /// authorization, the per-user rate limit, antiforgery and the audit of changes, after the static files (the page shells
    /// are public; their data is not).
    /// </summary>
    public static WebApplication UseSecurity(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<UserRateLimit>();
        app.Use(RequestForgery.CheckAsync);
        app.UseMiddleware<Audit.ChangeAuditMiddleware>();
        return app;
    }

    /// <summary>The account, administration and terminal endpoints.</summary>
    public static IEndpointRouteBuilder MapSecurityApi(this IEndpointRouteBuilder app)
    {
        app.MapAccountApi();
        app.MapSecurityAdminApi();
        app.MapTerminalApi();
        app.MapPersonDataApi();
        app.MapRequestForgeryApi();
        return app;
    }

    /// <summary>
    /// The session's principal is rebuilt from the store at every check of the security stamp, which knows nothing of how
    /// the person signed in: the second factor (<c>amr</c>) and the kind of credential are carried over, or a person of a
    /// role that requires two factors would be refused from the first check on.
    /// </summary>
    private static Task KeepSignInClaims(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.CurrentPrincipal is { } current && context.NewPrincipal?.Identity is ClaimsIdentity refreshed)
        {
            foreach (var claim in current.Claims.Where(c => c.Type is TwoFactorRequirementHandler.AuthenticationMethodClaim or SecurityClaims.CredentialKind))
            {
                if (!refreshed.HasClaim(claim.Type, claim.Value))
                {
                    refreshed.AddClaim(new Claim(claim.Type, claim.Value));
                }
            }
        }

        return Task.CompletedTask;
    }

    private static string SelectScheme(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        return context.Request.Cookies.ContainsKey(TerminalSession.CookieName) ? TerminalSession.Scheme : IdentityConstants.ApplicationScheme;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions options, string name, TimeSpan lifetime)
    {
        options.Cookie.Name = name;
        options.Cookie.HttpOnly = true;
        // Strict: a cross-site page can neither read nor ride on the session, which is what protects the JSON POSTs from CSRF.
        options.Cookie.SameSite = SameSiteMode.Strict;
        // Secure: set for every cookie by TransportSecurity (always outside Development, unless loopback-only plain HTTP).
        options.ExpireTimeSpan = lifetime;
        options.SlidingExpiration = true;
        // An API answers 401/403; a page sends the person to sign in, to set up the second factor their role requires, or
        // to a page saying they may not see it.
        options.LoginPath = Components.WebUi.SignInPath;
        options.AccessDeniedPath = Components.WebUi.AccessDeniedPath;
        options.Events.OnRedirectToLogin = context => Components.WebUi.IsPage(context.Request)
            ? Redirect(context, context.RedirectUri)
            : Status(context.Response, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => Components.WebUi.IsPage(context.Request)
            ? Redirect(context, TwoFactorRequirementHandler.IsSatisfied(context.HttpContext.User, context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue)
                ? context.RedirectUri
                : Components.WebUi.AccountPath)
            : Status(context.Response, StatusCodes.Status403Forbidden);
        options.Events.OnRedirectToLogout = context => Status(context.Response, StatusCodes.Status200OK);
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context, string location)
    {
        context.Response.Redirect(location);
        return Task.CompletedTask;
    }

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static void ConfigureRateLimits(RateLimiterOptions limiter, RateLimitOptions limits)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = (context, _) =>
        {
            RetryAfter(context.HttpContext, context.Lease);
            return ValueTask.CompletedTask;
        };

        // Attempts only: showing the sign-in page (GET) spends nothing.
        limiter.AddPolicy(SignInLimit, context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(
                "sign-in:" + Address(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.SignInPerMinutePerAddress, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

        // Every API and hub call: a budget per client address, spent before authentication; the budget per user
        // (UserRateLimit) is spent after it. The address is the forwarded one only from a known proxy (TransportSecurity).
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            IsApi(context)
                ? RateLimitPartition.GetTokenBucketLimiter("address:" + Address(context), _ => Bucket(limits.ApiPerMinutePerAddress))
                : RateLimitPartition.GetNoLimiter(""));
    }

    internal static void RetryAfter(HttpContext context, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    // One token every minute / perMinute: the configured rate for any value (a whole number of tokens a second refilled
    // 60 a minute for a limit of 5, and 60 instead of 100 for a limit of 100), and Retry-After says when the next one comes.
    internal static TokenBucketRateLimiterOptions Bucket(int perMinute) => new()
    {
        TokenLimit = perMinute,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    internal static bool IsApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase);

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
