using System.Diagnostics;
using System.Globalization;
using System.Net;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Modbus;

/// <summary>
/// Register reads per second on loopback. For each server (libmodbus's, then ours) three clients run in
/// interleaved rounds: libmodbus's own synchronous client (the baseline), our client one request at a time, and
/// our client pipelined. Ratios are to libmodbus's client against the same server. Prints throughput, latency
/// percentiles, the machine load before and after, and the CPU time the libmodbus server spends per request
/// (its ceiling when pipelined).
/// Usage: modbus-load [reads=20000] [registers=10] [inflight=8] [rounds=5]
/// </summary>
public static class ModbusLoadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var reads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20000;
        var registers = args.Length > 1 ? ushort.Parse(args[1], CultureInfo.InvariantCulture) : (ushort)10;
        var inFlight = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        var ct = CancellationToken.None;

        var peers = Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "libmodbus");
        var bin = Directory.CreateTempSubdirectory("domioops-modbus-bench-");
        try
        {
            var serverPath = await CProgram.CompileAsync(Path.Combine(peers, "modbus_tcp_server.c"), bin.FullName, ["-lmodbus"], ct);
            var clientPath = await CProgram.CompileAsync(Path.Combine(peers, "modbus_tcp_bench_client.c"), bin.FullName, ["-lmodbus"], ct);
            var port = FreePort.Next();
            await using var libmodbusServer = PeerProcess.Start(serverPath, [Text(port)]);
            await libmodbusServer.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(10), ct);
            await using var ours = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
            ours.AddUnit(1);
            await ours.StartAsync(ct);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Modbus TCP register reads on loopback: {reads} reads of {registers} holding registers per scenario and round, {rounds} rounds interleaved (median shown), pipelined with {inFlight} requests in flight on one connection; {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            var loadBefore = ProcessFigures.LoadAverage();
            Console.WriteLine($"load average before: {loadBefore}");
            Console.WriteLine();

            (string Server, int Port)[] servers = [("libmodbus server", port), ("our server", ours.Port)];
            foreach ((_, var p) in servers)
            {
                await LibmodbusClientAsync(clientPath, p, reads / 10, registers, ct); // warm-up
                await OurClientAsync(p, reads / 10, registers, 1);
                await OurClientAsync(p, reads / 10, registers, inFlight);
            }

            var results = new Dictionary<string, List<Run>>();
            void Add(string name, Run run) => (results.TryGetValue(name, out var list) ? list : results[name] = []).Add(run);
            var serverCpu = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                foreach ((var server, var p) in servers)
                {
                    Add(Name("libmodbus client", server, "one at a time"), new Run(await LibmodbusClientAsync(clientPath, p, reads, registers, ct), null));
                    Add(Name("our client", server, "one at a time"), await OurClientAsync(p, reads, registers, 1));
                    var cpuBefore = ProcessFigures.ScheduledTime(libmodbusServer.Id);
                    Add(Name("our client", server, $"pipelined, {inFlight} in flight"), await OurClientAsync(p, reads, registers, inFlight));
                    if (p == port)
                    {
                        serverCpu.Add((ProcessFigures.ScheduledTime(libmodbusServer.Id) - cpuBefore).TotalMicroseconds / reads);
                    }
                }
            }

            foreach ((var server, _) in servers)
            {
                var baseline = Median(results[Name("libmodbus client", server, "one at a time")]).Rate;
                foreach ((var name, var runs) in results.Where(r => r.Key.Contains(server, StringComparison.Ordinal)))
                {
                    Report(name, Median(runs), baseline);
                }

                Console.WriteLine();
            }

            var loadAfter = ProcessFigures.LoadAverage();
            Console.WriteLine($"load average after: {loadAfter}");
            var cpuPerRequest = serverCpu.Order().ElementAt(serverCpu.Count / 2);
            var libmodbusBaseline = Median(results[Name("libmodbus client", "libmodbus server", "one at a time")]).Rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"libmodbus server CPU per pipelined request: {cpuPerRequest:F1} us (median), so one core serves at most {1e6 / cpuPerRequest:F0} reads/s = {1e6 / cpuPerRequest / libmodbusBaseline:F2}x its one-at-a-time rate"));
            Console.WriteLine();
            foreach ((var server, _) in servers)
            {
                var baseline = Median(results[Name("libmodbus client", server, "one at a time")]).Rate;
                var one = Median(results[Name("our client", server, "one at a time")]).Rate;
                var piped = Median(results[Name("our client", server, $"pipelined, {inFlight} in flight")]).Rate;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{server}: one at a time {one / baseline:F2}x libmodbus (goal >= 1.0x), pipelined {piped / baseline:F2}x (goal >= 3x)"));
            }

            return 0;
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    private readonly record struct Run(double Rate, double[]? SortedLatencies);

    private static string Name(string client, string server, string mode) => $"{client} -> {server} ({mode})";

    private static Run Median(List<Run> runs) => runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);

    private static async Task<double> LibmodbusClientAsync(string client, int port, int reads, ushort registers, CancellationToken ct)
    {
        var output = await PeerProcess.RunAsync(client, [Text(port), Text(reads), Text(registers)], null, TimeSpan.FromMinutes(5), ct);
        var rate = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return double.Parse(rate, CultureInfo.InvariantCulture);
    }

    private static async Task<Run> OurClientAsync(int port, int reads, ushort registers, int inFlight)
    {
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = inFlight, ResponseTimeout = TimeSpan.FromSeconds(5) });
        await client.ConnectAsync(CancellationToken.None);
        await RunWorkersAsync(client, reads / 10, registers, inFlight, new double[reads / 10]); // warm-up
        var latencies = new double[reads];
        var clock = Stopwatch.StartNew();
        await RunWorkersAsync(client, reads, registers, inFlight, latencies);
        var rate = reads / clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Run(rate, latencies);
    }

    /// <summary>As many workers as requests in flight, each reading in a loop into its own buffer (the allocation-free overload).</summary>
    private static Task RunWorkersAsync(ModbusTcpClient client, int reads, ushort registers, int workers, double[] latencies)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            var destination = new ushort[registers];
            int i;
            while ((i = Interlocked.Increment(ref next)) < reads)
            {
                var start = Stopwatch.GetTimestamp();
                await client.ReadHoldingRegistersAsync(1, 0, destination, CancellationToken.None);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }));
    }

    private static void Report(string name, Run run, double baseline)
    {
        var sorted = run.SortedLatencies;
        var latency = sorted is null
            ? ""
            : string.Create(CultureInfo.InvariantCulture, $"  p50 {Percentile(sorted, 0.50):F0} us  p99 {Percentile(sorted, 0.99):F0} us  max {sorted[^1]:F0} us");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-62} {run.Rate,10:F0} reads/s  {run.Rate / baseline,5:F2}x{latency}"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
