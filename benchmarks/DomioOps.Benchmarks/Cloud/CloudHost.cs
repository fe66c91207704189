using System.Net;
using System.Net.Http.Json;

using DomioOps.Testing;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>PostgreSQL and the cloud host as a process, the administrator signed in with two factors.</summary>
internal sealed partial class CloudHost : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly string _keys;

    private CloudHost(PostgresServer postgres, string keys, HostProcess process)
    {
        (this._postgres, this._keys, Process) = (postgres, keys, process);
        Admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public HostProcess Process { get; }

    public HttpClient Admin { get; }

    public string ConnectionString => _postgres.ConnectionString("domio_production");

    public static async Task<CloudHost> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var postgres = await PostgresServer.StartAsync(ct);
        var keys = Directory.CreateTempSubdirectory("domio-benchmark-cloud-").FullName;
        var adminPassword = $"Bench-{Guid.NewGuid():N}-A1";
        var environment = new CloudEnvironment(postgres.ConnectionString("domio_production"), keys, adminPassword, FreePort.Next())
        {
            ["Broker__ConfigurationKeyPath"] = Path.Combine(keys, "edge-configuration.pem"),
            ["Security__BadgeKeyFile"] = Path.Combine(keys, "badge.key"),
            // Every terminal of the plant is on this one address here: the per-address limits are a plant's, not one device's.
            ["Security__RateLimits__SignInPerMinutePerAddress"] = "100000",
            ["Security__RateLimits__ApiPerMinutePerAddress"] = "1000000",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        }.Add(settings);
        HostProcess? process = null;
        try
        {
            process = await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct);
            var cloud = new CloudHost(postgres, keys, process);
            using var signIn = await cloud.Admin.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = adminPassword }, ct);
            signIn.EnsureSuccessStatusCode();
            await Totp.EnrolAsync(cloud.Admin, ct);
            return cloud;
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            await postgres.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Process.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}
