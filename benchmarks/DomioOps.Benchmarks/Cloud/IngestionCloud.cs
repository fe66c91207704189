using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The real cloud host for the ingestion latency harnesses: a private PostgreSQL and one silo as its own process, its
/// embedded broker with the given edges registered (one password for all), the administrator signing in with the
/// password alone (these harnesses measure ingestion, not sign-in).
/// </summary>
internal sealed class IngestionCloud : IAsyncDisposable
{
    private readonly PostgresServer _postgres;

    private IngestionCloud(PostgresServer postgres, HostProcess process, int brokerPort, string edgePassword, string adminPassword)
    {
        (_postgres, Process, BrokerPort, EdgePassword, AdminPassword) = (postgres, process, brokerPort, edgePassword, adminPassword);
    }

    public HostProcess Process { get; }

    /// <summary>The embedded broker's MQTT port.</summary>
    public int BrokerPort { get; }

    /// <summary>The MQTT password of every registered edge (user name and client id <c>{site}/{edge}</c>).</summary>
    public string EdgePassword { get; }

    public string AdminPassword { get; }

    /// <param name="settings">Any other cloud settings (environment variable names, <c>Section__Key</c>).</param>
    public static async Task<IngestionCloud> StartAsync(string site, IEnumerable<string> edges, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var postgres = await PostgresServer.StartAsync(ct);
        try
        {
            var edgePassword = EdgeCredentials.NewPassword();
            var edgeHash = EdgeCredentials.Hash(edgePassword);
            var adminPassword = $"Bench-{Guid.NewGuid():N}-A1";
            var brokerPort = FreePort.Next();
            var environment = new CloudEnvironment(postgres.ConnectionString("domio_bench"), Path.Combine(postgres.DataDirectory, "audit"), adminPassword, brokerPort)
            {
                ["Security__RequireTwoFactorRoles__0"] = "None",
                ["Serilog__MinimumLevel__Default"] = "Warning",
            };
            environment.Add(settings ?? []);
            foreach (var edge in edges)
            {
                environment.AddEdge(site, edge, edgeHash);
            }

            var process = await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct);
            return new IngestionCloud(postgres, process, brokerPort, edgePassword, adminPassword);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
