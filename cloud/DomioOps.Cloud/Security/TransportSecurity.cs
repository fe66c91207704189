using System.Net;

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// HTTPS with HSTS outside Development, <c>X-Forwarded-For</c>/<c>-Proto</c> believed only from known proxies, and
/// every cookie <c>Secure</c> outside Development unless <see cref="SecurityOptions.AllowInsecureHttp"/> (loopback only).
/// </summary>
internal static class TransportSecurity
{
    public static IHostApplicationBuilder AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<SecurityOptions>>(new TransportValidation(builder.Configuration));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SecurityOptions>>((forwarded, security) => TrustProxies(forwarded, security.Value));
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, SecureCookies>();
        services.AddSingleton<IPostConfigureOptions<AntiforgeryOptions>, SecureCookies>();
        return builder;
    }

    /// <summary>First in the pipeline: the client's address and scheme are settled before anything reads them.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // HSTS goes out on HTTPS responses only (also behind a proxy that said X-Forwarded-Proto: https).
            app.UseHsts();
            if (ListenUrls(app.Configuration).Any(url => url.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
            {
                app.UseHttpsRedirection();
            }
        }

        return app;
    }

    private static void TrustProxies(ForwardedHeadersOptions forwarded, SecurityOptions security)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        if (security.KnownProxies.Length == 0 && security.KnownNetworks.Length == 0)
        {
            return; // ASP.NET Core's default: loopback only.
        }

        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in security.KnownProxies)
        {
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in security.KnownNetworks)
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }

    /// <summary>The URLs Kestrel is told to listen on: <c>urls</c> (ASPNETCORE_URLS, --urls), <c>http(s)_ports</c>, <c>Kestrel:Endpoints</c>.</summary>
    internal static IEnumerable<string> ListenUrls(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return url;
        }

        foreach (var port in (configuration["http_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return $"http://*:{port}";
        }

        foreach (var port in (configuration["https_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return $"https://*:{port}";
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { } url)
            {
                yield return url;
            }
        }
    }

    internal static bool IsLoopback(string url)
    {
        var address = BindingAddress.Parse(url);
        return string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    private sealed class SecureCookies(IOptions<SecurityOptions> security, IHostEnvironment environment)
        : IPostConfigureOptions<CookieAuthenticationOptions>, IPostConfigureOptions<AntiforgeryOptions>
    {
        private CookieSecurePolicy Policy => environment.IsDevelopment() || security.Value.AllowInsecureHttp ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        public void PostConfigure(string? name, CookieAuthenticationOptions options) => options.Cookie.SecurePolicy = Policy;

        public void PostConfigure(string? name, AntiforgeryOptions options) => options.Cookie.SecurePolicy = Policy;
    }

    private sealed class TransportValidation(IConfiguration configuration) : IValidateOptions<SecurityOptions>
    {
        public ValidateOptionsResult Validate(string? name, SecurityOptions options)
        {
            var failures = new List<string>();
            for (var i = 0; i < options.KnownProxies.Length; i++)
            {
                if (!IPAddress.TryParse(options.KnownProxies[i], out _))
                {
                    failures.Add($"Security:KnownProxies:{i}: '{options.KnownProxies[i]}' is not an IP address (give the reverse proxy's address, e.g. 10.0.0.5)");
                }
            }

            for (var i = 0; i < options.KnownNetworks.Length; i++)
            {
                if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
                {
                    failures.Add($"Security:KnownNetworks:{i}: '{options.KnownNetworks[i]}' is not a network (give it in CIDR notation, e.g. 10.0.0.0/24)");
                }
            }

            if (options.AllowInsecureHttp)
            {
                foreach (var url in ListenUrls(configuration).Where(url => url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) && !IsLoopback(url)))
                {
                    failures.Add($"Security:AllowInsecureHttp: plain HTTP is allowed on loopback only, but the host listens on {url}; serve HTTPS there (a Kestrel certificate) or remove Security:AllowInsecureHttp");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
