using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Ingestion;
using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.Benchmarks.Web;

/// <summary>
/// The web application under load, on this machine, with a simulated factory running: PostgreSQL, the cloud host,
/// the simulators (panel saws on Modbus TCP) and an edge polling them, as processes. Then:
/// <list type="number">
/// <item>server response time: <c>users</c> signed-in people (Planner role), each asking for a page or an API call
/// about once per <c>think</c> (randomised ±50 %), for <c>seconds</c>: p50/p90/p99 per request kind, and the machine's load;</item>
/// <item>a machine's state change to the board's DOM, measured in the browser (Chromium, Playwright): the saw is held
/// and resumed at the simulator; a MutationObserver on its card takes the time its <c>data-state</c> changes minus the
/// edge's timestamp of that state (<c>data-state-since</c>), on the same clock;</item>
/// <item>with <c>--lighthouse</c>: Lighthouse 12.2.3 (benchmarks/lighthouse) on the sign-in page (mobile preset), the
/// board and the saw's detail (desktop preset), signed in.</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- web-load [users] [seconds] [think-ms] [--lighthouse]</c>
/// </summary>
internal static class WebLoadHarness
{
    private const string Site = "plant-bench";
    private const string EdgeId = "edge-bench";
    private const int Saws = 5;
    private const int StateChanges = 40;
    private static readonly string[] PlannerRole = ["Planner"];

    private static readonly (string Signal, int Register, string Type)[] SawTags =
        [("MachineState", 0, "UInt16"), ("PieceCounter", 1, "UInt32"), ("CycleCounter", 4, "UInt32"), ("Alarm", 7, "UInt16")];

    public static async Task<int> RunAsync(string[] args)
    {
        var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var users = numbers.Length > 0 ? numbers[0] : 50;
        var seconds = numbers.Length > 1 ? numbers[1] : 60;
        var think = TimeSpan.FromMilliseconds(numbers.Length > 2 ? numbers[2] : 1000);
        var lighthouse = args.Contains("--lighthouse");
        var ct = CancellationToken.None;

        await using var factory = await Factory.StartAsync(ct);
        Console.WriteLine($"web-load: cloud {factory.Cloud}, {Saws} simulated saws polled by an edge; {users} users, one request per ~{think.TotalMilliseconds:F0} ms each, {seconds} s");
        await factory.WaitForMachinesAsync(ct);

        var people = await factory.CreatePeopleAsync(users, ct);
        var loadBefore = ProcessFigures.LoadAverage();
        var cpuBefore = ProcessFigures.CpuTime(factory.Cloud.ProcessId);
        var measured = await MeasureRequestsAsync(factory.Cloud.BaseAddress, people, TimeSpan.FromSeconds(seconds), think, ct);
        var cpu = ProcessFigures.CpuTime(factory.Cloud.ProcessId) - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load average before {loadBefore}, after {ProcessFigures.LoadAverage()}; cloud CPU {cpu.TotalSeconds:F1} s in {seconds} s ({cpu.TotalSeconds / seconds * 100:F0} % of one core)"));
        foreach (var (kind, latencies) in measured.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            LatencyReport.Print(kind, latencies);
        }

        LatencyReport.Print("all requests", [.. measured.Values.SelectMany(l => l)]);

        await using var browser = await Browser.LaunchAsync();
        LatencyReport.Print("state change at the edge → board DOM (browser)", await MeasureBoardAsync(browser, factory, people[0], ct));

        if (lighthouse)
        {
            await RunLighthouseAsync(factory, people[0], ct);
        }

        return 0;
    }

    private static async Task<Dictionary<string, List<double>>> MeasureRequestsAsync(
        Uri cloud, IReadOnlyList<Person> people, TimeSpan duration, TimeSpan think, CancellationToken ct)
    {
        var saw = Factory.Saw(0);
        (string Kind, string Path)[] requests =
        [
            ("page /machines (board, prerendered)", "machines"),
            ($"page /machines/{{id}} (detail, prerendered)", $"machines/{saw}"),
            ("page / (home)", ""),
            ("api GET /api/machines", "api/machines"),
            ("api GET /api/machines/{id}/history (1 h)", $"api/machines/{saw}/history?signal=PieceCounter"),
        ];
        var results = requests.ToDictionary(r => r.Kind, _ => new List<double>());
        var clients = await Task.WhenAll(people.Select(p => SignInAsync(cloud, p, ct)));
        try
        {
            var end = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
            {
                var random = new Random(index);
                // Spread the first requests over one think time, so the users do not all start at once.
                await Task.Delay(think * random.NextDouble(), ct);
                for (var i = index; end.Elapsed < duration; i++)
                {
                    var (kind, path) = requests[i % requests.Length];
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new InvalidOperationException($"{kind}: {(int)response.StatusCode} for {path}");
                    }

                    lock (results)
                    {
                        results[kind].Add(elapsed);
                    }

                    await Task.Delay(think * (0.5 + random.NextDouble()), ct);
                }
            }, ct)));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        return results;
    }

    private static async Task<List<double>> MeasureBoardAsync(Browser browser, Factory factory, Person person, CancellationToken ct)
    {
        var page = await browser.NewPageAsync(factory.Cloud.BaseAddress);
        await Browser.SignInAsync(page, person.UserName, person.Password);
        await page.GotoAsync("/machines");
        var card = $"[data-machine=\"{Factory.Saw(0)}\"]";
        await page.Locator(card).WaitForAsync();
        // The board is live once Blazor's circuit is up; a change before that would be seen by a reload, not measured.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('[data-live=\"connected\"]') !== null");
        await page.EvaluateAsync("""
            selector => {
                window.domioLatencies = [];
                const observe = card => new MutationObserver(() => {
                    const since = Number(card.dataset.stateSince);
                    if (since > 0) window.domioLatencies.push(Date.now() - since);
                }).observe(card, { attributes: true, attributeFilter: ['data-state'] });
                observe(document.querySelector(selector));
            }
            """, card);
        for (var i = 0; i < StateChanges; i++)
        {
            var hold = i % 2 == 0;
            await factory.HoldSawAsync(hold, ct);
            await page.WaitForFunctionAsync($"n => window.domioLatencies.length >= n", i + 1, new PageWaitForFunctionOptions { Timeout = 30_000 });
            // The saw finishes its cycle before it stops: the next change waits a little, as an operator would.
            await Task.Delay(TimeSpan.FromMilliseconds(400), ct);
        }

        var latencies = await page.EvaluateAsync<double[]>("() => window.domioLatencies");
        return [.. latencies];
    }

    private static async Task RunLighthouseAsync(Factory factory, Person person, CancellationToken ct)
    {
        using var client = await SignInAsync(factory.Cloud.BaseAddress, person, ct);
        var cookie = string.Join("; ", client.Cookies.GetCookies(factory.Cloud.BaseAddress).Select(c => $"{c.Name}={c.Value}"));
        await Lighthouse.RunAsync("sign-in", new Uri(factory.Cloud.BaseAddress, "sign-in"), desktop: false, cookie: null, ct);
        await Lighthouse.RunAsync("machines board", new Uri(factory.Cloud.BaseAddress, "machines"), desktop: true, cookie, ct);
        await Lighthouse.RunAsync("machine detail", new Uri(factory.Cloud.BaseAddress, $"machines/{Factory.Saw(0)}"), desktop: true, cookie, ct);
    }

    private static async Task<SignedInClient> SignInAsync(Uri cloud, Person person, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        var client = new SignedInClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }, cookies) { BaseAddress = cloud };
        using var signIn = await client.PostAsJsonAsync("api/account/sign-in", new { userName = person.UserName, password = person.Password }, ct);
        signIn.EnsureSuccessStatusCode();
        return client;
    }


    private sealed record Person(string UserName, string Password);

    private sealed class SignedInClient(HttpMessageHandler handler, CookieContainer cookies) : HttpClient(handler)
    {
        public CookieContainer Cookies { get; } = cookies;
    }

    /// <summary>PostgreSQL, the cloud, the simulators and an edge as processes, as in tests/DomioOps.EndToEnd.Tests/Slice.cs.</summary>
    private sealed class Factory : IAsyncDisposable
    {
        private readonly PostgresServer _postgres;
        private readonly string _keys;
        private readonly HttpClient _admin;
        private HostProcess? _simulators;
        private HostProcess? _edge;

        private Factory(PostgresServer postgres, string keys, HostProcess cloud)
        {
            (this._postgres, this._keys, Cloud) = (postgres, keys, cloud);
            _admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = cloud.BaseAddress };
        }

        public HostProcess Cloud { get; }

        public static string Saw(int index) => $"saw-{index + 1:D2}";

        public static async Task<Factory> StartAsync(CancellationToken ct)
        {
            var postgres = await PostgresServer.StartAsync(ct);
            var edgePassword = EdgeCredentials.NewPassword();
            var brokerPort = FreePort.Next();
            var keys = Directory.CreateTempSubdirectory("domio-web-load-keys-").FullName;
            var adminPassword = $"Bench-{Guid.NewGuid():N}-A1";
            var environment = new CloudEnvironment(postgres.ConnectionString("domio_web"), keys, adminPassword, brokerPort)
            {
                ["Broker__ConfigurationKeyPath"] = Path.Combine(keys, "edge-configuration.pem"),
                ["Security__BadgeKeyFile"] = Path.Combine(keys, "badge.key"),
                // 50 people sign in from this one address within a minute.
                ["Security__RateLimits__SignInPerMinutePerAddress"] = "1000",
                ["Serilog__MinimumLevel__Default"] = "Warning",
            }.AddEdge(Site, EdgeId, EdgeCredentials.Hash(edgePassword));
            var cloud = await HostProcess.StartAsync("cloud/DomioOps.Cloud", environment.Variables, ct);
            var factory = new Factory(postgres, keys, cloud);
            try
            {
                await factory.StartFactoryAsync(adminPassword, brokerPort, edgePassword, ct);
                return factory;
            }
            catch
            {
                // A piece that did not start must not leave the others running.
                await factory.DisposeAsync();
                throw;
            }
        }

        private async Task StartFactoryAsync(string adminPassword, int brokerPort, string edgePassword, CancellationToken ct)
        {
            await SignInAdminAsync(adminPassword, ct);
            var simulatorSettings = new Dictionary<string, string>();
            var edgeSettings = new Dictionary<string, string>
            {
                ["Edge__Site"] = Site,
                ["Edge__Id"] = EdgeId,
                ["Edge__DataDirectory"] = Path.Combine(_keys, "edge"),
                ["Edge__Publishing__BrokerPort"] = $"{brokerPort}",
                ["Edge__Publishing__Password"] = edgePassword,
                ["Edge__RemoteConfiguration__SigningKey"] = await _admin.GetStringAsync(new Uri("api/edges/configuration-key", UriKind.Relative), ct),
            };
            for (var i = 0; i < Saws; i++)
            {
                var port = FreePort.Next();
                simulatorSettings[$"Simulators__PanelSaws__{i}__Machine"] = Saw(i);
                simulatorSettings[$"Simulators__PanelSaws__{i}__Port"] = $"{port}";
                simulatorSettings[$"Simulators__PanelSaws__{i}__CycleTime"] = "00:00:00.500";
                simulatorSettings[$"Simulators__PanelSaws__{i}__FaultProbability"] = "0";
                simulatorSettings[$"Simulators__PanelSaws__{i}__PauseProbability"] = "0";
                edgeSettings[$"Edge__Devices__ModbusTcp__{i}__Machine"] = Saw(i);
                edgeSettings[$"Edge__Devices__ModbusTcp__{i}__Port"] = $"{port}";
                edgeSettings[$"Edge__Devices__ModbusTcp__{i}__PollInterval"] = "00:00:00.100";
                // The saw's register map (edge/DomioOps.Edge/appsettings.json gives it to the first device only).
                foreach (var (tag, (signal, register, type)) in SawTags.Index())
                {
                    edgeSettings[$"Edge__Devices__ModbusTcp__{i}__Tags__{tag}__Signal"] = signal;
                    edgeSettings[$"Edge__Devices__ModbusTcp__{i}__Tags__{tag}__Register"] = $"{register}";
                    edgeSettings[$"Edge__Devices__ModbusTcp__{i}__Tags__{tag}__Type"] = type;
                }
            }

            _simulators = await HostProcess.StartAsync("simulators/DomioOps.Simulators", simulatorSettings, ct);
            _edge = await HostProcess.StartAsync("edge/DomioOps.Edge", edgeSettings, ct);
        }

        private async Task SignInAdminAsync(string password, CancellationToken ct)
        {
            using var signIn = await _admin.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password }, ct);
            signIn.EnsureSuccessStatusCode();
            await Totp.EnrolAsync(_admin, ct);
        }

        public async Task WaitForMachinesAsync(CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                var machines = await _admin.GetFromJsonAsync<JsonElement[]>("api/machines", ct);
                if (machines?.Length >= Saws)
                {
                    return;
                }

                await Task.Delay(500, ct);
            }

            throw new TimeoutException($"the {Saws} saws did not all report within 90 s\n{_edge?.Output}");
        }

        public async Task<List<Person>> CreatePeopleAsync(int count, CancellationToken ct)
        {
            var people = new List<Person>();
            for (var i = 0; i < count; i++)
            {
                var person = new Person($"planner-{i:D3}", $"Planner-{Guid.NewGuid():N}-A1");
                using var created = await _admin.PostAsJsonAsync("api/security/users", new { userName = person.UserName, password = person.Password, roles = PlannerRole }, ct);
                created.EnsureSuccessStatusCode();
                people.Add(person);
            }

            return people;
        }

        public async Task HoldSawAsync(bool hold, CancellationToken ct)
        {
            using var http = new HttpClient { BaseAddress = _simulators!.BaseAddress };
            using var response = await http.PostAsync(new Uri($"api/saws/{Saw(0)}/{(hold ? "hold" : "resume")}", UriKind.Relative), null, ct);
            response.EnsureSuccessStatusCode();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in new[] { _edge, _simulators, Cloud })
            {
                if (process is not null)
                {
                    await process.DisposeAsync();
                }
            }

            _admin.Dispose();
            await _postgres.DisposeAsync();
            Directory.Delete(_keys, recursive: true);
        }
    }
}
