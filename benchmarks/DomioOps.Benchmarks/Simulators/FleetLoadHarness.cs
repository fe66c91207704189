using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Simulators;

/// <summary>
/// How many simulated machines one simulator process serves at 1 s polling, and the CPU it costs. For each fleet size
/// the simulator runs as its own process with a fleet of panel saws on Modbus TCP (one port each, or all as unit ids of
/// one port: modbus-shared) or of CNC routers on OPC UA (a server each, or all in one server: opcua-shared); this process polls every machine once a second (the saw's 17 registers; the router's state, counters and
/// spindle, 8 nodes) for the measured window and reads the simulator's CPU time and memory from /proc.
/// Usage: simulator-fleet [modbus|modbus-shared|opcua|opcua-shared] [seconds=30] [sizes]
/// </summary>
public static class FleetLoadHarness
{
    // Below Linux's ephemeral range (32768-60999), so the machines' ports never take the simulator's HTTP port.
    private const int FirstPort = 21000;

    private static readonly string[] PolledNodes = ["State/Machine/Overview/CurrentState", "State/Machine/Overview/CurrentMode", "State/Machine/Values/AbsolutePiecesOut", "State/Machine/Flags/Alarm", "Spindle/Speed", "Spindle/Load", "Spindle/Temperature", "Spindle/Vibration"];

    public static async Task<int> RunAsync(string[] args)
    {
        var protocol = args.Length > 0 ? args[0] : "modbus";
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var sizes = (args.Length > 2 ? args[2] : protocol == "opcua" ? "10,25" : protocol == "opcua-shared" ? "100,250,500" : "100,250,500,1000,2000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var ct = CancellationToken.None;
        Console.WriteLine($"Simulator fleet ({protocol}), each machine polled once a second for {seconds} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average before: {ProcessFigures.LoadAverage()}");
        Console.WriteLine("machines | start s | polls/s | failed | p50 ms | p99 ms | max ms | simulator CPU % of one core | RSS MB");
        foreach (var size in sizes)
        {
            var folder = Directory.CreateTempSubdirectory("domioops-fleet-");
            try
            {
                var kind = protocol.StartsWith("opcua", StringComparison.Ordinal) ? "cnc-router" : "panel-saw";
                var share = protocol.EndsWith("-shared", StringComparison.Ordinal) ? "true" : "false";
                var scenario = Path.Combine(folder.FullName, "fleet.json");
                await File.WriteAllTextAsync(scenario, $$"""{ "seed": 1, "fleet": [ { "kind": "{{kind}}", "count": {{size}}, "idPrefix": "m-", "firstPort": {{FirstPort}}, "sharePort": {{share}} } ] }""", ct);
                var started = Stopwatch.StartNew();
                await using var simulator = await HostProcess.StartAsync("simulators/DomioOps.Simulators", new Dictionary<string, string> { ["Simulators__Scenario"] = scenario }, ct);
                var startSeconds = started.Elapsed.TotalSeconds;
                using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
                var machines = (await http.GetFromJsonAsync<List<FleetMachine>>("api/machines", ct))!;
                var latencies = new List<double>[machines.Count];
                var failures = 0;
                using var window = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 5));
                var pollers = machines.Select(async (m, i) =>
                {
                    latencies[i] = [];
                    await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * i / machines.Count), ct);
                    await using var poll = kind == "cnc-router" ? await OpcUaPollAsync(m) : await ModbusPollAsync(m);
                    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                    var until = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
                    do
                    {
                        var t = Stopwatch.GetTimestamp();
                        try
                        {
                            await poll.ReadAsync();
                            lock (latencies[i])
                            {
                                latencies[i].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                            }
                        }
                        catch (Exception e) when (e is ModbusException or OpcUaException or IOException or TimeoutException)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                    while (Stopwatch.GetTimestamp() < until && await NextTickAsync(timer, window.Token));
                }).ToList();

                // CPU over the steady part of the window: after every poller has connected.
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                var (cpu0, wall0) = (ProcessFigures.CpuTime(simulator.ProcessId).TotalSeconds, Stopwatch.GetTimestamp());
                await Task.Delay(TimeSpan.FromSeconds(seconds - 4), ct);
                var cpu = (ProcessFigures.CpuTime(simulator.ProcessId).TotalSeconds - cpu0) / Stopwatch.GetElapsedTime(wall0).TotalSeconds * 100;
                var rss = ProcessFigures.ResidentBytes(simulator.ProcessId) / 1024.0 / 1024.0;
                await Task.WhenAll(pollers);
                var all = latencies.SelectMany(l => l).Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size,8} | {startSeconds,7:0.0} | {all.Count / (double)seconds,7:0} | {failures,6} | {Percentile(all, 0.5),6:0.0} | {Percentile(all, 0.99),6:0.0} | {all.DefaultIfEmpty().Max(),6:0.0} | {cpu,27:0.0} | {rss,6:0}"));
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }

        Console.WriteLine($"load average after: {ProcessFigures.LoadAverage()}");
        return 0;
    }

    private static async Task<Poll> ModbusPollAsync(FleetMachine machine)
    {
        var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", machine.Port) { ResponseTimeout = TimeSpan.FromSeconds(1) });
        await client.ConnectAsync(CancellationToken.None);
        return new Poll(async () => await client.ReadHoldingRegistersAsync(machine.UnitId, 0, 17, CancellationToken.None), client.DisposeAsync);
    }

    private static async Task<Poll> OpcUaPollAsync(FleetMachine machine)
    {
        var client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = machine.Endpoint, RequestTimeout = TimeSpan.FromSeconds(2) });
        await client.ConnectAsync(CancellationToken.None);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:simulators");
        var nodes = PolledNodes.Select(p => new DomioOps.Devices.OpcUa.Services.ReadValueId(new NodeId(ns, $"{machine.Machine}/{p}")))
            .ToList();
        return new Poll(async () => await client.ReadAsync(nodes, CancellationToken.None), client.DisposeAsync);
    }

    /// <summary>The next tick; false when the window closed (a poller that started late stops with the others).</summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken window)
    {
        try
        {
            return await timer.WaitForNextTickAsync(window);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private sealed record FleetMachine(string Machine, string Endpoint, int Port, byte UnitId);

    private sealed class Poll(Func<Task> read, Func<ValueTask> dispose) : IAsyncDisposable
    {
        public Task ReadAsync() => read();

        public ValueTask DisposeAsync() => dispose();
    }
}
