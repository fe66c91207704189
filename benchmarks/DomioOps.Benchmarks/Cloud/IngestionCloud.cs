using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The real cloud host for the ingestion latency harnesses: a private PostgreSQL and one silo as its own process, with
/// the given edges registered (one password for all) either in its embedded broker or, with <c>mosquitto</c>, in a
/// real Mosquitto (password and ACL files from <see cref="MosquittoConfiguration"/>) that the silo consumes from
/// through the shared subscription, as in production. The administrator signs in with the password alone (these
/// harnesses measure ingestion, not sign-in).
/// </summary>
internal sealed class IngestionCloud : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly MosquittoBroker? _mosquitto;

    private IngestionCloud(PostgresServer postgres, MosquittoBroker? mosquitto, HostProcess process, int brokerPort, string edgePassword, string adminPassword)
    {
        (_postgres, _mosquitto, Process, BrokerPort, EdgePassword, AdminPassword) = (postgres, mosquitto, process, brokerPort, edgePassword, adminPassword);
    }

    public HostProcess Process { get; }

    /// <summary>The MQTT port the edges connect to (the embedded broker's, or Mosquitto's).</summary>
    public int BrokerPort { get; }

    /// <summary>The MQTT password of every registered edge (user name and client id <c>{site}/{edge}</c>).</summary>
    public string EdgePassword { get; }

    public string AdminPassword { get; }

    /// <param name="settings">Any other cloud settings (environment variable names, <c>Section__Key</c>).</param>
    public static async Task<IngestionCloud> StartAsync(string site, IReadOnlyList<string> edges, bool mosquitto, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var postgres = await PostgresServer.StartAsync(ct);
        MosquittoBroker? broker = null;
        try
        {
            var edgePassword = EdgeCredentials.NewPassword();
            var edgeHash = EdgeCredentials.Hash(edgePassword);
            var adminPassword = $"Bench-{Guid.NewGuid():N}-A1";
            var cloudPassword = EdgeCredentials.NewPassword();
            if (mosquitto)
            {
                var (passwords, cloudPasswords, acl) = MosquittoConfiguration.Render(
                    edges.Select(e => new EdgeRegistration(site, e, edgeHash, Disabled: false)), "domio-cloud", EdgeCredentials.Hash(cloudPassword));
                broker = await MosquittoBroker.StartAsync(passwords, acl, ct, cloudPasswords: cloudPasswords);
            }

            var brokerPort = broker?.Port ?? FreePort.Next();
            var environment = new CloudEnvironment(postgres.ConnectionString("domio_bench"), Path.Combine(postgres.DataDirectory, "audit"), adminPassword, broker?.CloudPort ?? brokerPort)
            {
                ["Security__RequireTwoFactorRoles__0"] = "None",
                ["Serilog__MinimumLevel__Default"] = "Warning",
            };
            environment.Add(settings ?? []);
            if (broker is not null)
            {
                environment.UseExternalBroker("silo-0", cloudPassword);
            }

            foreach (var edge in edges)
            {
                environment.AddEdge(site, edge, edgeHash);
            }

            var process = await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct);
            return new IngestionCloud(postgres, broker, process, brokerPort, edgePassword, adminPassword);
        }
        catch
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }

            await postgres.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_mosquitto is not null)
        {
            await _mosquitto.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }
}
