using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The host as production runs it: HTTPS (and a plain port that only redirects), HSTS, Secure cookies; forwarded
/// headers believed from known proxies only; plain HTTP allowed on loopback only.
/// </summary>
public sealed class TransportSecurityTests(TransportSecurityTests.HttpsCloud cloud) : IClassFixture<TransportSecurityTests.HttpsCloud>
{
    public sealed class HttpsCloud : SecureCloud
    {
        private readonly TestCertificates _certificates = TestCertificates.Create();

        public int PlainPort { get; } = FreePort.Next();

        public override Uri BaseAddress => new($"https://127.0.0.1:{HttpPort}/");

        public Uri PlainAddress => new($"http://127.0.0.1:{PlainPort}/");

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("urls", $"https://127.0.0.1:{HttpPort};http://127.0.0.1:{PlainPort}"),
            new("Security:AllowInsecureHttp", "false"),
            new("Kestrel:Certificates:Default:Path", _certificates.ServerCertificatePath),
            new("Kestrel:Certificates:Default:KeyPath", _certificates.ServerKeyPath),
        ];

        /// <summary>Trusts the test CA only (any name: the HSTS test asks for another host).</summary>
        protected override HttpClientHandler Handler()
        {
            var handler = base.Handler();
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(_certificates.CaPath));
            handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is null || chain is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
                {
                    return false;
                }

                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
            return handler;
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            _certificates.Dispose();
        }
    }

    [Fact]
    public async Task Https_Response_CarriesHsts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        // UseHsts leaves out localhost and 127.0.0.1 (a developer's machine): ask for the site by its name.
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/live");
        request.Headers.Host = "domio.factory.example";
        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts));
        Assert.Equal("max-age=2592000", Assert.Single(hsts));
    }

    [Fact]
    public async Task PlainHttp_Request_IsRedirectedToHttps()
    {
        var ct = TestContext.Current.CancellationToken;
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = cloud.PlainAddress };
        using var response = await plain.GetAsync(new Uri("api/machines", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1:{cloud.HttpPort}/api/machines"), response.Headers.Location);
    }

    [Fact]
    public async Task PlainHttp_ForwardedProtoHttpsFromLoopbackProxy_IsServed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = cloud.PlainAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await plain.SendAsync(request, ct);

        // Not redirected: the proxy (on loopback, trusted by default) terminated TLS; the API then asks for a session.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cookies_OutsideDevelopment_AreAlwaysSecure()
    {
        var ct = TestContext.Current.CancellationToken;
        var cookies = cloud.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        foreach (var scheme in new[] { IdentityConstants.ApplicationScheme, IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.TwoFactorRememberMeScheme, IdentityConstants.ExternalScheme, TerminalSession.Scheme })
        {
            Assert.Equal(CookieSecurePolicy.Always, cookies.Get(scheme).Cookie.SecurePolicy);
        }

        Assert.Equal(CookieSecurePolicy.Always, cloud.App.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.SecurePolicy);

        // A person whose role signs in with a password alone gets the session cookie at once.
        await cloud.CreateUserAsync("secure-cookie", "Secure-Cookie-Planner-42", DomioRoles.Planner);
        using var client = cloud.Client();
        using var signIn = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "secure-cookie", password = "Secure-Cookie-Planner-42" }, ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("domio.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null, "203.0.113.9")] // by default a proxy on loopback is believed
    [InlineData("192.0.2.1", "127.0.0.1")] // a configured proxy replaces that default: loopback's header is ignored
    public async Task ForwardedFor_FromLoopback_BelievedOnlyWhenLoopbackIsAKnownProxy(string? knownProxy, string expectedClient)
    {
        await using var app = Unstarted(knownProxy is null ? [] : [$"--Security:KnownProxies:0={knownProxy}"]);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
        string? client = null;
        var middleware = new ForwardedHeadersMiddleware(
            c =>
            {
                client = c.Connection.RemoteIpAddress?.ToString();
                return Task.CompletedTask;
            },
            NullLoggerFactory.Instance,
            app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>());

        await middleware.Invoke(context);

        Assert.Equal(expectedClient, client);
    }

    [Fact]
    public void AllowInsecureHttp_OnANonLoopbackAddress_IsAStartErrorNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Unstarted(["--urls=http://0.0.0.0:8080", "--Security:AllowInsecureHttp=true"]));

        Assert.Contains("Security:AllowInsecureHttp: plain HTTP is allowed on loopback only, but the host listens on http://0.0.0.0:8080", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownProxies_NotAnAddress_IsAStartErrorNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Unstarted(["--Security:KnownProxies:0=proxy.local", "--Security:KnownNetworks:0=10.0.0.0"]));

        Assert.Contains("Security:KnownProxies:0: 'proxy.local' is not an IP address", error.Message, StringComparison.Ordinal);
        Assert.Contains("Security:KnownNetworks:0: '10.0.0.0' is not a network", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The cloud host built (not started) in Production with <paramref name="args"/>.</summary>
    internal static WebApplication Unstarted(string[] args) => Program.Build(
    [
        "--environment=Production",
        "--Silo:ConnectionString=Host=127.0.0.1;Database=unused",
        .. KeyRingCertificates.Settings(":").Select(s => $"--{s.Key}={s.Value}"),
        .. args,
    ]);
}
