using System.Globalization;
using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

using Microsoft.Data.Sqlite;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The soak's system as separate processes on 127.0.0.1: a private PostgreSQL, a real Mosquitto with the password and
/// ACL files the cloud generates, N cloud silos (the Release host) consuming through the shared subscription, the
/// simulators with a fleet of panel saws on one Modbus TCP port, and edge agents each reading its share of the saws into
/// its own durable queue and publishing with <c>Publishing:Acknowledgement Cloud</c>. Every part can be killed or
/// stopped and started again on the same ports and data.
/// </summary>
internal sealed class SoakSystem : IAsyncDisposable
{
    public const string Site = "plant-soak";

    /// <summary>How often each edge reads each saw; every read reports every tag (Report Period).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private const string Database = "domio_soak";

    /// <summary>How long a process may take to answer /health/live: a silo on a saturated 2-core machine needs more than a minute.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(3);

    /// <summary>The panel saw's register map as the compose edge reads it (simulators/README.md).</summary>
    private static readonly (string Signal, int Register, string Type)[] SawTags =
    [
        ("MachineState", 0, "UInt16"), ("PieceCounter", 1, "UInt32"), ("BladeMotorCurrent", 3, "UInt16"), ("CycleCounter", 4, "UInt32"),
        ("FeedSpeed", 6, "UInt16"), ("Alarm", 7, "UInt16"), ("MachineMode", 8, "UInt16"), ("BladeWear", 10, "UInt16"),
        ("CycleTime", 11, "UInt16"), ("PiecesIn", 13, "UInt32"), ("RunsAborted", 15, "UInt32"),
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-soak-").FullName;
    private readonly string _edgePassword = EdgeCredentials.NewPassword();
    private readonly string _edgePasswordHash;
    private readonly string _cloudPassword = EdgeCredentials.NewPassword();
    private readonly string _adminPassword = $"Soak-{Guid.NewGuid():N}-A1";
    private readonly List<(int Http, int Silo, int Gateway)> _siloPorts = [];
    private readonly List<int> _edgePorts = [];
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(5) };
    private MosquittoBroker? _broker;
    private int _nextSilo;
    private int _edgeCount;
    private bool[] _siloDown = [];

    private SoakSystem(PostgresServer postgres)
    {
        Postgres = postgres;
        _edgePasswordHash = EdgeCredentials.Hash(_edgePassword);
    }

    /// <summary>Samples one saw yields per second: every tag at every read.</summary>
    public static int SamplesPerMachinePerSecond => (int)(SawTags.Length * (TimeSpan.FromSeconds(1) / PollInterval));

    public PostgresServer Postgres { get; }

    public MosquittoBroker Broker => _broker!;

    public List<HostProcess> Silos { get; } = [];

    public List<HostProcess?> Edges { get; } = [];

    public HostProcess? Simulator { get; private set; }

    /// <summary>The saws, in the simulator's order; saw i is read by edge i mod the number of edges.</summary>
    public List<SimulatedSaw> Machines { get; private set; } = [];

    public static string EdgeId(int edge) => $"edge-{edge}";

    public static async Task<SoakSystem> StartAsync(int silos, int edges, int machines, int seed, CancellationToken ct)
    {
        // One run's logs only (the file sink appends).
        if (Directory.Exists(LogDirectory))
        {
            Directory.Delete(LogDirectory, recursive: true);
        }

        var system = new SoakSystem(await PostgresServer.StartAsync(ct));
        try
        {
            var (passwords, cloudPasswords, acl) = MosquittoConfiguration.Render(
                Enumerable.Range(0, edges).Select(e => new EdgeRegistration(Site, EdgeId(e), system._edgePasswordHash, Disabled: false)),
                "domio-cloud", EdgeCredentials.Hash(system._cloudPassword));
            system._broker = await MosquittoBroker.StartAsync(passwords, acl, ct, cloudPasswords: cloudPasswords);
            system._siloDown = new bool[silos];
            system._edgeCount = edges;
            for (var i = 0; i < silos; i++)
            {
                system._siloPorts.Add((FreePort.Next(), FreePort.Next(), FreePort.Next()));
                system.Silos.Add(await system.StartSiloAsync(i, ct));
            }

            using (var signIn = await system._http.PostAsJsonAsync(new Uri(system.Silos[0].BaseAddress, "api/account/sign-in"), new { userName = "admin", password = system._adminPassword }, ct))
            {
                signIn.EnsureSuccessStatusCode();
            }

            await system.StartSimulatorAsync(machines, seed, ct);
            for (var e = 0; e < edges; e++)
            {
                Directory.CreateDirectory(system.EdgeData(e));
                system._edgePorts.Add(FreePort.Next());
                system.Edges.Add(null);
                await system.StartEdgeAsync(e, ct);
            }

            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills a silo (SIGKILL); the API is asked at the others until <see cref="RestartSiloAsync"/>.</summary>
    public async Task KillSiloAsync(int index)
    {
        _siloDown[index] = true;
        await Silos[index].StopAsync(kill: true);
    }

    /// <summary>Replaces a silo as a rolling upgrade does: stopped gracefully (SIGTERM), started again, answering before this returns.</summary>
    public async Task ReplaceSiloAsync(int index, CancellationToken ct)
    {
        _siloDown[index] = true;
        await Silos[index].StopAsync();
        await RestartSiloAsync(index, ct);
    }

    public async Task RestartSiloAsync(int index, CancellationToken ct)
    {
        await Silos[index].DisposeAsync();
        Silos[index] = await StartSiloAsync(index, ct);
        _siloDown[index] = false;
    }

    public async Task StartEdgeAsync(int edge, CancellationToken ct)
    {
        if (Edges[edge] is { } old)
        {
            Edges[edge] = null;
            await old.DisposeAsync();
        }

        var environment = new Dictionary<string, string>
        {
            ["Edge__Site"] = Site,
            ["Edge__Id"] = EdgeId(edge),
            ["Edge__DataDirectory"] = EdgeData(edge),
            ["Edge__Publishing__BrokerPort"] = $"{Broker.Port}",
            ["Edge__Publishing__Password"] = _edgePassword,
            ["Edge__Publishing__Acknowledgement"] = "Cloud",
            // Information: each device's return to connected is logged too, so a saw that never came back shows.
            ["Serilog__MinimumLevel__Default"] = "Information",
            ["Serilog__WriteTo__0__Name"] = "File",
            ["Serilog__WriteTo__0__Args__path"] = Path.Combine(LogDirectory, $"{EdgeId(edge)}.log"),
        };
        var device = 0;
        foreach (var machine in Machines.Where((_, i) => i % _edgeCount == edge))
        {
            var at = $"Edge__Devices__ModbusTcp__{device++}__";
            environment[at + "Machine"] = machine.Machine;
            environment[at + "Port"] = $"{machine.Port}";
            environment[at + "UnitId"] = $"{machine.UnitId}";
            environment[at + "PollInterval"] = PollInterval.ToString("c", CultureInfo.InvariantCulture);
            for (var t = 0; t < SawTags.Length; t++)
            {
                environment[$"{at}Tags__{t}__Signal"] = SawTags[t].Signal;
                environment[$"{at}Tags__{t}__Register"] = $"{SawTags[t].Register}";
                environment[$"{at}Tags__{t}__Type"] = SawTags[t].Type;
                environment[$"{at}Tags__{t}__Report"] = "Period";
                environment[$"{at}Tags__{t}__Period"] = "00:00:00.010";
            }
        }

        Edges[edge] = await HostProcess.StartAsync("edge/DomioOps.Edge", environment, ct, _edgePorts[edge], StartLimit);
    }

    /// <summary>The last sequence the edge assigned and the samples waiting in its queue, read from its SQLite queue.</summary>
    public (ulong LastSequence, long Waiting) ReadQueue(int edge)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(EdgeData(edge), "queue.db"), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce((SELECT value FROM counters WHERE name = 'last_sequence'), 0), (SELECT count(*) FROM samples)";
        using var reader = command.ExecuteReader();
        reader.Read();
        return ((ulong)reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The simulator's machines as it reports them (pieces are its ground truth).</summary>
    public async Task<List<SimulatedSaw>> SimulatedMachinesAsync(CancellationToken ct) =>
        (await _http.GetFromJsonAsync<List<SimulatedSaw>>(new Uri(Simulator!.BaseAddress, "api/machines"), ct))!;

    /// <summary>Sends a control request to the simulator (fault, hold), e.g. <c>POST api/machines/saw-001/fault/drop</c>.</summary>
    public async Task ControlSimulatorAsync(HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(Simulator!.BaseAddress, path));
        using var response = await _http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A GET of the cloud's API at any live silo (round robin), or null when none answers.</summary>
    public async Task<T?> AskCloudAsync<T>(string path, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; attempt < Silos.Count; attempt++)
        {
            var index = _nextSilo++ % Silos.Count;
            var silo = Silos[index];
            if (_siloDown[index])
            {
                continue;
            }

            try
            {
                return await _http.GetFromJsonAsync<T>(new Uri(silo.BaseAddress, path), ct);
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // That silo is starting, stopping or recovering; ask the next.
            }
        }

        return null;
    }

    public string ConnectionString => Postgres.ConnectionString(Database);

    public string Logs() =>
        string.Join("\n", Silos.Concat(Edges.OfType<HostProcess>()).Append(Simulator).OfType<HostProcess>().Select(p => $"--- {p}\n{Tail(p.Output)}"))
        + $"\n--- mosquitto\n{Tail(_broker?.Output ?? "")}";

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Edges.Append(Simulator).Concat(Silos).OfType<HostProcess>())
        {
            await process.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        await Postgres.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string EdgeData(int edge) => Path.Combine(_folder, EdgeId(edge));

    /// <summary>Where the silos' and edges' logs are written, one file per process across its restarts; kept after the run.</summary>
    public static string LogDirectory { get; } = Path.Combine(Path.GetTempPath(), "domioops-soak-logs");

    private Task<HostProcess> StartSiloAsync(int index, CancellationToken ct)
    {
        var environment = new CloudEnvironment(ConnectionString, Path.Combine(_folder, "audit"), _adminPassword, Broker.CloudPort!.Value, _siloPorts[index].Silo, _siloPorts[index].Gateway)
        {
            // The harness signs in with the password alone, and polls the API more often than a person would.
            ["Security__RequireTwoFactorRoles__0"] = "None",
            ["Security__RateLimits__SignInPerMinutePerAddress"] = "100000",
            ["Security__RateLimits__ApiPerMinutePerAddress"] = "1000000",
            ["Security__BadgeKeyFile"] = Path.Combine(_folder, "badge.key"),
            ["Serilog__MinimumLevel__Default"] = "Warning",
            // Kept whole across restarts, for the diagnosis of a failed run (the console's tail is printed with the failure).
            ["Serilog__WriteTo__0__Name"] = "File",
            ["Serilog__WriteTo__0__Args__path"] = Path.Combine(LogDirectory, $"silo-{index}.log"),
        }.UseExternalBroker($"silo-{index}", _cloudPassword);
        for (var e = 0; e < _edgeCount; e++)
        {
            environment.AddEdge(Site, EdgeId(e), _edgePasswordHash);
        }

        return HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct, _siloPorts[index].Http, StartLimit);
    }

    private async Task StartSimulatorAsync(int machines, int seed, CancellationToken ct)
    {
        // Saws around the clock, 20 factory seconds a second (a cut every few seconds), all unit ids of one Modbus TCP port.
        var scenario = Path.Combine(_folder, "soak.json");
        await File.WriteAllTextAsync(scenario, string.Create(CultureInfo.InvariantCulture,
            $$"""{ "seed": {{seed}}, "acceleration": 20, "fleet": [ { "kind": "panel-saw", "count": {{machines}}, "idPrefix": "saw-", "firstPort": {{FreePort.Next()}}, "sharePort": true } ] }"""), ct);
        Simulator = await HostProcess.StartAsync("simulators/DomioOps.Simulators", new Dictionary<string, string> { ["Simulators__Scenario"] = scenario }, ct, startLimit: StartLimit);
        Machines = await SimulatedMachinesAsync(ct);
    }

    private static string Tail(string output) => output.Length > 3000 ? output[^3000..] : output;
}

/// <summary>A simulated saw as <c>GET /api/machines</c> reports it.</summary>
internal sealed record SimulatedSaw(string Machine, int Port, byte UnitId, uint Pieces);
