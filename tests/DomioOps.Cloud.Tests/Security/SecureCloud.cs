using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Cluster;
using DomioOps.Testing;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The real cloud host (<c>Program.Build</c>: silo, broker, API, security) in this process on a free 127.0.0.1 port,
/// on a private PostgreSQL, with an initial administrator whose password the fixture makes up and who sets up two-factor
/// sign-in at start, as an administrator must.
/// </summary>
public class SecureCloud : IAsyncLifetime
{
    private readonly CookieContainer _adminCookies = new();
    private readonly string _badgeKeyFile = Path.Combine(Path.GetTempPath(), $"domio-badge-{Guid.NewGuid():N}.key");
    private PostgresServer? _postgres;
    private Dictionary<string, string> _settings = [];
    private readonly CountingPasswordHasher _passwordChecks = new();
    private AntiforgeryToken _adminAntiforgery = new("", "");

    public int HttpPort { get; } = FreePort.Next();

    /// <summary>The embedded MQTT broker's port (plain TCP on 127.0.0.1), where edges publish.</summary>
    public int BrokerPort { get; } = FreePort.Next();

    public virtual Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>How often the password hasher has checked a password (sign-ins of known and unknown users alike).</summary>
    public int PasswordChecks => _passwordChecks.Count;

    public string AdminPassword { get; } = InitialAdmin.Generate();

    /// <summary>The administrator's authenticator key, set up at start.</summary>
    public string AdminTotpKey { get; private set; } = "";

    /// <summary>The administrator's session cookies, for clients other than <see cref="HttpClient"/> (SignalR).</summary>
    public CookieContainer AdminCookies => _adminCookies;

    /// <summary>
    /// A page of <paramref name="browser"/> in the administrator's session: the fixture signed in with two factors once,
    /// and a code is taken only once, so pages share that session rather than signing in again.
    /// </summary>
    internal async Task<Microsoft.Playwright.IPage> AdminPageAsync(Browser browser, string locale, int width)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.NewPageAsync(BaseAddress, locale, width: width, height: 900);
        await page.Context.AddCookiesAsync(_adminCookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Domain = "127.0.0.1",
            Path = "/",
            HttpOnly = c.HttpOnly,
        }));
        return page;
    }

    /// <summary>The file holding the key badge numbers are hashed with.</summary>
    public string BadgeKeyFile => _badgeKeyFile;

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    /// <summary>The cluster's database as the superuser, for tests that reach under the application; the silos connect as domio_cloud.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The audit key file and the checkpoint folder of the silos.</summary>
    public string AuditDirectory { get; private set; } = "";

    internal WebApplication App { get; private set; } = null!;

    /// <summary>Extra configuration, e.g. lower limits.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _postgres = await PostgresServer.StartAsync(ct);
        // As in docker-compose.yml: an owner role migrates, the silos run as a member of domio_app (Storage/Sql/0008).
        await _postgres.CreateRoleAsync("domio_owner", cancellationToken: ct);
        await _postgres.CreateRoleAsync("domio_app", login: false, cancellationToken: ct);
        await _postgres.CreateRoleAsync("domio_cloud", memberOf: "domio_app", cancellationToken: ct);
        ConnectionString = await _postgres.CreateDatabaseAsync("domio_security", "domio_owner", ct);
        AuditDirectory = Directory.CreateTempSubdirectory("domioops-audit-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{HttpPort}",
            ["contentRoot"] = Path.Combine(RepositoryRoot.Find(), "cloud", "DomioOps.Cloud"),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Silo:ConnectionString"] = _postgres.ConnectionString("domio_security", "domio_cloud"),
            ["Silo:MigrationConnectionString"] = _postgres.ConnectionString("domio_security", "domio_owner"),
            ["Audit:KeyPath"] = Path.Combine(AuditDirectory, "audit.key"),
            ["Audit:CreateKey"] = "true",
            ["Audit:CheckpointDirectory"] = Path.Combine(AuditDirectory, "checkpoints"),
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Port"] = $"{BrokerPort}",
            // Remote edge configuration on: the key that signs configurations is made at start.
            ["Broker:ConfigurationKeyPath"] = Path.Combine(AuditDirectory, "edge-configuration.pem"),
            ["Security:InitialAdmin:Password"] = AdminPassword,
            // The default (Admin, Maintenance) and Office.
            ["Security:RequireTwoFactorRoles:0"] = DomioRoles.Admin,
            ["Security:RequireTwoFactorRoles:1"] = DomioRoles.Maintenance,
            ["Security:RequireTwoFactorRoles:2"] = DomioRoles.Office,
            ["Security:BadgeKeyFile"] = _badgeKeyFile,
            ["Security:RateLimits:SignInPerMinutePerAddress"] = "10000",
            // Every request checks the session against the store, as every request does 10 s into a session by default.
            ["Security:SessionCheckInterval"] = "00:00:00",
            // Plain HTTP on loopback, as ./domio run serves it; HttpsCloud serves HTTPS.
            ["Security:AllowInsecureHttp"] = "true",
            // A hub client that stops reading stays connected for the length of a test (MachineFeedTests).
            ["Machines:HubSendTimeout"] = "00:10:00",
        };
        foreach (var (key, value) in KeyRingCertificates.Settings(":"))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        this._settings = settings;
        App = Program.Build([.. settings.Select(s => $"--{s.Key}={s.Value}")], builder => builder.Services.AddSingleton<IPasswordHasher<IdentityUser>>(_passwordChecks));
        await App.StartAsync(ct);

        // The administrator's first sign-in: password, then two-factor set up; the tests share that session.
        using var admin = new HttpClient(AdminHandler()) { BaseAddress = BaseAddress };
        using (var signIn = await admin.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = AdminPassword }, ct))
        {
            signIn.EnsureSuccessStatusCode();
        }

        AdminTotpKey = await Totp.EnrolAsync(admin, ct);
        _adminAntiforgery = (await admin.GetFromJsonAsync<AntiforgeryToken>("api/account/antiforgery", ct))!;
    }

    /// <summary>Another silo of the same cluster (same database), serving HTTP on its own port; the caller stops and disposes it.</summary>
    internal async Task<(WebApplication App, Uri BaseAddress)> StartSecondSiloAsync(CancellationToken ct)
    {
        var port = FreePort.Next();
        var app = BuildSilo(port, new Dictionary<string, string>());
        await app.StartAsync(ct);
        return (app, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Another silo's host (not started) on HTTP port <paramref name="port"/>, with <paramref name="overrides"/> on top of this one's settings.</summary>
    internal WebApplication BuildSilo(int port, IReadOnlyDictionary<string, string> overrides)
    {
        var second = new Dictionary<string, string>(_settings)
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Silo:SiloPort"] = $"{FreePort.Next()}",
            ["Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Port"] = $"{FreePort.Next()}",
        };
        foreach (var (key, value) in overrides)
        {
            second[key] = value;
        }

        return Program.Build([.. second.Select(s => $"--{s.Key}={s.Value}")]);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await SiloHosts.StopAsync(App);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (AuditDirectory.Length > 0)
        {
            Directory.Delete(AuditDirectory, recursive: true);
        }

        File.Delete(_badgeKeyFile);

        GC.SuppressFinalize(this);
    }

    /// <summary>A client with its own cookie jar.</summary>
    public HttpClient Client() => new(Handler())
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    protected virtual HttpClientHandler Handler() => new() { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };

    /// <summary>A handler in the administrator's session.</summary>
    private HttpClientHandler AdminHandler()
    {
        var handler = Handler();
        handler.CookieContainer = _adminCookies;
        return handler;
    }

    /// <summary>A client signed in with a password (no second factor), sending the session's antiforgery token.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password, CancellationToken ct)
    {
        var client = Client();
        using var response = await client.PostAsJsonAsync("api/account/sign-in", new { userName, password }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SendAntiforgeryTokenAsync(client, ct);
        return client;
    }

    /// <summary>From now on <paramref name="client"/> (a cookie session) sends its antiforgery token, as the pages' script does.</summary>
    public static async Task SendAntiforgeryTokenAsync(HttpClient client, CancellationToken ct)
    {
        var token = (await client.GetFromJsonAsync<AntiforgeryToken>("api/account/antiforgery", ct))!;
        client.DefaultRequestHeaders.Remove(token.HeaderName);
        client.DefaultRequestHeaders.Add(token.HeaderName, token.Value);
    }

    /// <summary>
    /// A client in the administrator's session (password and second factor, and its antiforgery token), shared by every
    /// test of the fixture: a code works once, so the administrator cannot sign in again within the same 30 seconds.
    /// </summary>
    public Task<HttpClient> AdminAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var client = new HttpClient(AdminHandler())
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Add(_adminAntiforgery.HeaderName, _adminAntiforgery.Value);
        return Task.FromResult(client);
    }

    /// <summary>Creates a person with <paramref name="roles"/> directly through Identity; returns the user id.</summary>
    public async Task<string> CreateUserAsync(string userName, string password, params string[] roles)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser(userName);
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRolesAsync(user, roles)).Succeeded);
        return user.Id;
    }

    /// <summary>A client authenticating with a fresh API key of a new user holding <paramref name="role"/>.</summary>
    public async Task<(HttpClient Client, string UserId, string KeyId)> ApiKeyClientAsync(HttpClient admin, string role, CancellationToken ct)
    {
        var userId = await CreateUserAsync($"integration-{role}-{Guid.NewGuid():N}".ToLowerInvariant()[..40], InitialAdmin.Generate(), role);
        using var response = await admin.PostAsJsonAsync($"api/security/users/{userId}/api-keys", new { name = $"{role} integration" }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Content.ReadFromJsonAsync<NewKey>(ct))!;
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        return (client, userId, key.Id);
    }

    /// <summary>A terminal bound to <paramref name="workCentre"/>, signed in.</summary>
    public async Task<(HttpClient Client, string TerminalId)> TerminalClientAsync(HttpClient admin, string workCentre, CancellationToken ct)
    {
        using var created = await admin.PostAsJsonAsync("api/security/terminals", new { name = $"terminal at {workCentre}", workCentre }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<NewKey>(ct))!;
        var client = Client();
        using var signIn = await client.PostAsJsonAsync("api/terminal/sign-in", new { key = key.Key }, ct);
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        await SendAntiforgeryTokenAsync(client, ct);
        return (client, key.Id);
    }

    internal sealed record NewKey(string Id, string Key);

    internal sealed record AntiforgeryToken(string HeaderName, string Value);

    /// <summary>Identity's hasher, counting the passwords it checks.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<IdentityUser>
    {
        private readonly PasswordHasher<IdentityUser> _hasher = new();
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string HashPassword(IdentityUser user, string password) => _hasher.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(IdentityUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _count);
            return _hasher.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SecureCloudGroup : ICollectionFixture<SecureCloud>
{
    public const string Name = "secure cloud";
}
