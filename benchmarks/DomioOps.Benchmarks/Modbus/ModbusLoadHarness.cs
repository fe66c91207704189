using System.Diagnostics;
using System.Globalization;
using System.Net;

using DomioOps.Devices.Modbus;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.Modbus;

/// <summary>
/// Register reads per second on loopback: libmodbus's own synchronous client and ours, against the same
/// libmodbus server in one run, one request at a time and pipelined; then libmodbus's client against our
/// server. Prints throughput, latency percentiles and the ratios to libmodbus.
/// Usage: modbus-load [reads=20000] [registers=10] [inflight=16] [rounds=5]
/// </summary>
public static class ModbusLoadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int reads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20000;
        ushort registers = args.Length > 1 ? ushort.Parse(args[1], CultureInfo.InvariantCulture) : (ushort)10;
        int inFlight = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        CancellationToken ct = CancellationToken.None;

        string peers = Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "libmodbus");
        DirectoryInfo bin = Directory.CreateTempSubdirectory("domioops-modbus-bench-");
        try
        {
            string serverPath = await CProgram.CompileAsync(Path.Combine(peers, "modbus_tcp_server.c"), bin.FullName, ["-lmodbus"], ct);
            string clientPath = await CProgram.CompileAsync(Path.Combine(peers, "modbus_tcp_bench_client.c"), bin.FullName, ["-lmodbus"], ct);
            int port = FreePort.Next();
            await using PeerProcess server = PeerProcess.Start(serverPath, [Text(port)]);
            await server.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(10), ct);

            Console.WriteLine($"Modbus TCP register reads on loopback: {reads} reads of {registers} holding registers per scenario and round, {rounds} rounds interleaved (median shown), {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine();

            await using var ours = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
            ours.AddUnit(1);
            await ours.StartAsync(ct);

            await LibmodbusClientAsync(clientPath, port, reads / 10, registers, ct); // warm-up
            await OurClientAsync(port, reads / 10, registers, inFlight);
            var results = new Dictionary<string, List<(double Rate, double[]? Latencies)>>();
            void Add(string name, double rate, double[]? latencies) => (results.TryGetValue(name, out var list) ? list : results[name] = []).Add((rate, latencies));

            for (int round = 0; round < rounds; round++)
            {
                Add(LibmodbusToLibmodbus, await LibmodbusClientAsync(clientPath, port, reads, registers, ct), null);
                (double one, double[] oneLatencies) = await OurClientAsync(port, reads, registers, 1);
                Add(OursToLibmodbus, one, oneLatencies);
                (double piped, double[] pipedLatencies) = await OurClientAsync(port, reads, registers, inFlight);
                Add(OursPipelinedToLibmodbus, piped, pipedLatencies);
                Add(LibmodbusToOurs, await LibmodbusClientAsync(clientPath, ours.Port, reads, registers, ct), null);
                (double oursPiped, double[] oursLatencies) = await OurClientAsync(ours.Port, reads, registers, inFlight);
                Add(OursPipelinedToOurs, oursPiped, oursLatencies);
            }

            double baseline = Median(results[LibmodbusToLibmodbus]).Rate;
            foreach ((string name, List<(double Rate, double[]? Latencies)> runs) in results)
            {
                (double rate, double[]? latencies) = Median(runs);
                Report(name.Replace("{n}", inFlight.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), rate, latencies, baseline);
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio one-at-a-time vs libmodbus: {Median(results[OursToLibmodbus]).Rate / baseline:F2}x (goal >= 1.0x)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio pipelined vs libmodbus one-at-a-time, same libmodbus server: {Median(results[OursPipelinedToLibmodbus]).Rate / baseline:F2}x (goal >= 3x)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio pipelined to our server vs libmodbus one-at-a-time: {Median(results[OursPipelinedToOurs]).Rate / baseline:F2}x"));
            return 0;
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    private const string LibmodbusToLibmodbus = "libmodbus client -> libmodbus server (one at a time)";
    private const string OursToLibmodbus = "our client -> libmodbus server (one at a time)";
    private const string OursPipelinedToLibmodbus = "our client -> libmodbus server (pipelined, {n} in flight)";
    private const string LibmodbusToOurs = "libmodbus client -> our server (one at a time)";
    private const string OursPipelinedToOurs = "our client -> our server (pipelined, {n} in flight)";

    private static (double Rate, double[]? Latencies) Median(List<(double Rate, double[]? Latencies)> runs) =>
        runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);

    private static async Task<double> LibmodbusClientAsync(string client, int port, int reads, ushort registers, CancellationToken ct)
    {
        string output = await PeerProcess.RunAsync(client, [Text(port), Text(reads), Text(registers)], null, TimeSpan.FromMinutes(5), ct);
        string rate = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return double.Parse(rate, CultureInfo.InvariantCulture);
    }

    private static async Task<(double Rate, double[] LatenciesMicroseconds)> OurClientAsync(int port, int reads, ushort registers, int inFlight)
    {
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = inFlight, ResponseTimeout = TimeSpan.FromSeconds(5) });
        await client.ConnectAsync(CancellationToken.None);
        await RunWorkersAsync(client, reads / 10, registers, inFlight, new double[reads / 10]); // warm-up
        var latencies = new double[reads];
        var clock = Stopwatch.StartNew();
        await RunWorkersAsync(client, reads, registers, inFlight, latencies);
        double rate = reads / clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (rate, latencies);
    }

    private static Task RunWorkersAsync(ModbusTcpClient client, int reads, ushort registers, int workers, double[] latencies)
    {
        int next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            var destination = new ushort[registers];
            int i;
            while ((i = Interlocked.Increment(ref next)) < reads)
            {
                long start = Stopwatch.GetTimestamp();
                await client.ReadHoldingRegistersAsync(1, 0, destination, CancellationToken.None);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }));
    }

    private static void Report(string name, double rate, double[]? sortedLatencies, double baseline)
    {
        string latency = sortedLatencies is null
            ? ""
            : string.Create(CultureInfo.InvariantCulture, $"  p50 {Percentile(sortedLatencies, 0.50):F0} us  p99 {Percentile(sortedLatencies, 0.99):F0} us  max {sortedLatencies[^1]:F0} us");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-62} {rate,10:F0} reads/s  {rate / baseline,5:F2}x{latency}"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
