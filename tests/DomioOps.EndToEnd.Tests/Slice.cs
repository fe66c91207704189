using System.Net.Http.Json;

using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// The first slice as separate real processes: a private PostgreSQL, the cloud host (silo, embedded broker,
/// API, UI), the simulators with one fast panel saw, and an edge agent polling it. Each piece can be
/// stopped, killed and started again; the data (database, edge queue) survives.
/// </summary>
internal sealed class Slice : IAsyncDisposable
{
    public const string Site = "plant-e2e";
    public const string EdgeId = "edge-e2e";
    public const string Machine = "saw-e2e";

    private readonly PostgresServer _postgres;
    private readonly string _database;
    private readonly string _edgeData = Directory.CreateTempSubdirectory("domioops-edge-").FullName;
    private readonly string _cloudKeys = Directory.CreateTempSubdirectory("domioops-cloud-keys-").FullName;
    private string _configurationKey = "";
    private readonly int _brokerPort = FreePort.Next();
    private readonly int _brokerTlsPort = FreePort.Next();
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly int _modbusPort = FreePort.Next();
    private readonly int _cloudHttpPort = FreePort.Next();
    private readonly int _siloPort = FreePort.Next();
    private readonly int _gatewayPort = FreePort.Next();
    private readonly string _edgePassword = EdgeCredentials.NewPassword();
    private readonly List<(HostProcess Process, string Data)> _otherEdges = [];

    private Slice(PostgresServer postgres, string database)
    {
        (this._postgres, this._database) = (postgres, database);
        // Cookies: the API answers only a signed-in caller.
        CloudHttp = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{_cloudHttpPort}/"),
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public HostProcess? Cloud { get; private set; }

    public HostProcess? Edge { get; private set; }

    public HostProcess? Simulators { get; private set; }

    public HttpClient CloudHttp { get; }

    /// <summary>The cloud's database, for checks that the API does not show.</summary>
    public string DatabaseConnectionString => _postgres.ConnectionString(_database);

    /// <summary>The simulated saw's Modbus TCP port.</summary>
    public int ModbusPort => _modbusPort;

    /// <summary>The initial administrator ("admin"), whose password this test makes up and hands to the cloud through its environment.</summary>
    public string AdminPassword { get; } = $"E2e-{Guid.NewGuid():N}-A1";

    /// <summary>The administrator's authenticator key, set up at the first start of the cloud.</summary>
    public string? AdminTotpKey { get; private set; }

    /// <summary>When the set-up used a code of <see cref="AdminTotpKey"/>: a code is good once, so a sign-in takes one of a later 30 s step.</summary>
    public DateTimeOffset AdminTotpUsedAt { get; private set; }

    public static async Task<Slice> StartAsync(CancellationToken cancellationToken)
    {
        var postgres = await PostgresServer.StartAsync(cancellationToken);
        var slice = new Slice(postgres, "domio_e2e");
        try
        {
            await slice.StartCloudAsync(cancellationToken);
            await slice.StartSimulatorsAsync(cancellationToken);
            await slice.StartEdgeAsync(cancellationToken);
            return slice;
        }
        catch
        {
            await slice.DisposeAsync();
            throw;
        }
    }

    public async Task StartCloudAsync(CancellationToken cancellationToken)
    {
        var environment = new CloudEnvironment(_postgres.ConnectionString(_database), Path.Combine(_postgres.DataDirectory, "audit"), AdminPassword, _brokerPort, _siloPort, _gatewayPort)
        {
            ["Broker__TlsPort"] = $"{_brokerTlsPort}",
            ["Broker__CertificatePath"] = _certificates.ServerCertificatePath,
            ["Broker__CertificateKeyPath"] = _certificates.ServerKeyPath,
            ["Broker__ConfigurationKeyPath"] = Path.Combine(_cloudKeys, "edge-configuration.pem"),
            ["Security__BadgeKeyFile"] = Path.Combine(_cloudKeys, "badge.key"),
            // The shop: the simulated saw is the panel saw; the edgebander has no telemetry (its operator reports by hand).
            ["Production__WorkCentres__0__Id"] = "saw",
            ["Production__WorkCentres__0__Name"] = "Panel saw",
            ["Production__WorkCentres__0__Kind"] = "PanelSaw",
            ["Production__WorkCentres__0__Machines__0"] = Machine,
            ["Production__WorkCentres__1__Id"] = "edging",
            ["Production__WorkCentres__1__Name"] = "Edgebander",
            ["Production__WorkCentres__1__Kind"] = "Edgebander",
            ["Production__WorkCentres__1__Machines__0"] = "edgebander-e2e",
        }.AddEdge(Site, EdgeId, EdgeCredentials.Hash(_edgePassword));
        Cloud = await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, cancellationToken, _cloudHttpPort);
        if (AdminTotpKey is not null)
        {
            // A restart: the session survives it (the data protection keys are in PostgreSQL).
            return;
        }

        // The administrator's first sign-in: password, then two-factor set up, which an Admin must do before anything else.
        using (var signIn = await CloudHttp.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = AdminPassword }, cancellationToken))
        {
            signIn.EnsureSuccessStatusCode();
        }

        AdminTotpKey = await Totp.EnrolAsync(CloudHttp, cancellationToken);
        AdminTotpUsedAt = DateTimeOffset.UtcNow;
        _configurationKey = await CloudHttp.GetStringAsync(new Uri("api/edges/configuration-key", UriKind.Relative), cancellationToken);
    }

    public async Task StartSimulatorsAsync(CancellationToken cancellationToken) =>
        Simulators = await HostProcess.StartAsync("simulators/DomioOps.Simulators", new Dictionary<string, string>
        {
            ["Simulators__PanelSaws__0__Machine"] = Machine,
            ["Simulators__PanelSaws__0__Port"] = $"{_modbusPort}",
            ["Simulators__PanelSaws__0__CycleTime"] = "00:00:00.300",
            ["Simulators__PanelSaws__0__FaultProbability"] = "0",
            ["Simulators__PanelSaws__0__PauseProbability"] = "0",
        }, cancellationToken);

    /// <summary>Starts the edge, pinning the key the cloud signs configurations with (as an administrator copies it at registration).</summary>
    public async Task StartEdgeAsync(CancellationToken cancellationToken) =>
        Edge = await HostProcess.StartAsync("edge/DomioOps.Edge", EdgeEnvironment(EdgeId, _edgePassword, _edgeData, Machine), cancellationToken);

    /// <summary>
    /// Another edge agent of <see cref="Site"/>, with the password an administrator was given when registering it, reading
    /// the simulated saw as machine <paramref name="machine"/>. It stops with the slice.
    /// </summary>
    public async Task<HostProcess> StartEdgeAsync(string edgeId, string password, string machine, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("domioops-edge-").FullName;
        try
        {
            var edge = await HostProcess.StartAsync("edge/DomioOps.Edge", EdgeEnvironment(edgeId, password, data, machine), cancellationToken);
            _otherEdges.Add((edge, data));
            return edge;
        }
        catch
        {
            Directory.Delete(data, recursive: true);
            throw;
        }
    }

    private Dictionary<string, string> EdgeEnvironment(string edgeId, string password, string data, string machine) => new()
    {
        ["Edge__Site"] = Site,
        ["Edge__Id"] = edgeId,
        ["Edge__DataDirectory"] = data,
        // The edge talks MQTT over TLS, trusting only the test CA.
        ["Edge__Publishing__BrokerPort"] = $"{_brokerTlsPort}",
        ["Edge__Publishing__Tls"] = "true",
        ["Edge__Publishing__CaCertificatePath"] = _certificates.CaPath,
        ["Edge__Publishing__TlsTargetHost"] = "localhost",
        ["Edge__Publishing__Password"] = password,
        ["Edge__RemoteConfiguration__SigningKey"] = _configurationKey,
        ["Edge__Devices__ModbusTcp__0__Machine"] = machine,
        ["Edge__Devices__ModbusTcp__0__Port"] = $"{_modbusPort}",
        ["Edge__Devices__ModbusTcp__0__PollInterval"] = "00:00:00.100",
    };

    /// <summary>The saw as the simulator reports it.</summary>
    public async Task<SawStatus> GetSawAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Simulators!.BaseAddress };
        return (await http.GetFromJsonAsync<SawStatus>($"api/saws/{Machine}", cancellationToken))!;
    }

    /// <summary>Stops (or restarts) production at the simulated saw and returns its status.</summary>
    public async Task<SawStatus> HoldSawAsync(bool hold, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Simulators!.BaseAddress };
        using var response = await http.PostAsync(new Uri($"api/saws/{Machine}/{(hold ? "hold" : "resume")}", UriKind.Relative), null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SawStatus>(cancellationToken))!;
    }

    /// <summary>The machine as the cloud API reports it, or null while it has not reported.</summary>
    public async Task<MachineView?> GetMachineAsync(CancellationToken cancellationToken)
    {
        using var response = await CloudHttp.GetAsync(new Uri($"api/machines/{Machine}", UriKind.Relative), cancellationToken);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<MachineView>(cancellationToken);
    }

    public async Task<EdgeView> GetEdgeAsync(CancellationToken cancellationToken) =>
        (await CloudHttp.GetFromJsonAsync<EdgeView>($"api/edges/{Site}/{EdgeId}", cancellationToken))!;

    /// <summary>Polls until <paramref name="condition"/> holds for the cloud's view of the machine; fails with the last view and the logs.</summary>
    public async Task<MachineView> WaitForMachineAsync(Func<MachineView, bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        MachineView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetMachineAsync(cancellationToken);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"after {limit.TotalSeconds} s the cloud shows {last?.ToString() ?? "no machine"}\n{Logs()}");
    }

    public string Logs() => string.Join("\n", new[] { Cloud, Simulators, Edge }.Concat(_otherEdges.Select(e => e.Process)).OfType<HostProcess>().Select(p => $"--- {p}\n{Tail(p.Output)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, data) in _otherEdges)
        {
            await process.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }

        foreach (var process in new[] { Edge, Simulators, Cloud })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        CloudHttp.Dispose();
        await _postgres.DisposeAsync();
        Directory.Delete(_edgeData, recursive: true);
        Directory.Delete(_cloudKeys, recursive: true);
        _certificates.Dispose();
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;
}

internal sealed record SawStatus(string Machine, int Port, byte UnitId, string State, uint Pieces, uint Cycles);

internal sealed record MachineView(string Id, string Site, string Edge, string State, long PieceCount, DateTimeOffset? UpdatedAt);

internal sealed record EdgeView(string Id, bool Online, ulong HighestSequence, long SamplesAccepted, long DuplicatesDropped, ulong MissingSamples);
