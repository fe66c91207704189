using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Benchmarks.OpcUa;

/// <summary>
/// Load harness: data change notifications per second received by our client and by node-opcua's own client from the
/// same node-opcua server (every tag changes every sampling interval), one run each, and the ratio; then the time to
/// create 10,000 monitored items on our server. Run: <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- opcua-load</c>.
/// </summary>
internal static class OpcUaLoad
{
    private const int Tags = 1000;
    private const int SamplingMs = 50;
    private const double Seconds = 10;

    /// <summary>Entry from Program.cs for <c>opcua-load [serve PORT TAGS CHANGE_MS]</c>; the arguments after "opcua-load" are read from the command line.</summary>
    public static Task RunAsync() => RunAsync(Environment.GetCommandLineArgs().SkipWhile(a => a != "opcua-load").Skip(1).ToArray());

    public static async Task RunAsync(string[] args)
    {
        if (args is ["serve", string portText, string tagsText, string changeText])
        {
            await ServeAsync(int.Parse(portText, CultureInfo.InvariantCulture), int.Parse(tagsText, CultureInfo.InvariantCulture), int.Parse(changeText, CultureInfo.InvariantCulture)).ConfigureAwait(false);
            return;
        }

        string folder = Path.Combine(FindRoot(), "tests", "DomioOps.Interop.Tests", "Peers", "node-opcua");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            await RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund"], folder).ConfigureAwait(false);
        }

        int port = FreePort();
        using Process server = Start("node", ["server.js", port.ToString(CultureInfo.InvariantCulture), Tags.ToString(CultureInfo.InvariantCulture), SamplingMs.ToString(CultureInfo.InvariantCulture)], folder);
        try
        {
            await WaitForLineAsync(server, $"listening {port}").ConfigureAwait(false);
            Console.Error.WriteLine("node-opcua server is up; measuring the DomioOps client");
            string endpoint = $"opc.tcp://127.0.0.1:{port}";
            double ours = await MeasureOurClientAsync(endpoint).ConfigureAwait(false);
            Console.Error.WriteLine("measuring the node-opcua client");
            string output = await RunToEndAsync("node", ["bench-client.js", endpoint, Tags.ToString(CultureInfo.InvariantCulture), SamplingMs.ToString(CultureInfo.InvariantCulture), Seconds.ToString(CultureInfo.InvariantCulture)], folder).ConfigureAwait(false);
            string[] parts = output.Split('\n').Single(l => l.StartsWith("NOTIFICATIONS ", StringComparison.Ordinal)).Split(' ');
            double theirs = double.Parse(parts[1], CultureInfo.InvariantCulture) / double.Parse(parts[2], CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"notifications/s from node-opcua server ({Tags} tags changing every {SamplingMs} ms, {Seconds} s): DomioOps client {ours:F0}, node-opcua client {theirs:F0}, ratio {ours / theirs:F2}"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync().ConfigureAwait(false);
        }

        // The same two clients against our server in its own process, which can offer more changes than node-opcua's.
        int ourPort = FreePort();
        string self = typeof(OpcUaLoad).Assembly.Location;
        using Process ourServer = Start("dotnet", [self, "opcua-load", "serve", ourPort.ToString(CultureInfo.InvariantCulture), FastTags.ToString(CultureInfo.InvariantCulture), FastChangeMs.ToString(CultureInfo.InvariantCulture)], folder);
        try
        {
            await WaitForLineAsync(ourServer, $"listening {ourPort}").ConfigureAwait(false);
            string endpoint = $"opc.tcp://127.0.0.1:{ourPort}";
            double ours = await MeasureOurClientAsync(endpoint, FastTags, FastChangeMs).ConfigureAwait(false);
            string output = await RunToEndAsync("node", ["bench-client.js", endpoint, FastTags.ToString(CultureInfo.InvariantCulture), FastChangeMs.ToString(CultureInfo.InvariantCulture), Seconds.ToString(CultureInfo.InvariantCulture)], folder).ConfigureAwait(false);
            string[] parts = output.Split('\n').Single(l => l.StartsWith("NOTIFICATIONS ", StringComparison.Ordinal)).Split(' ');
            double theirs = double.Parse(parts[1], CultureInfo.InvariantCulture) / double.Parse(parts[2], CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"notifications/s from DomioOps server ({FastTags} tags changing every {FastChangeMs} ms, {Seconds} s): DomioOps client {ours:F0}, node-opcua client {theirs:F0}, ratio {ours / theirs:F2}"));
        }
        finally
        {
            ourServer.Kill(entireProcessTree: true);
            await ourServer.WaitForExitAsync().ConfigureAwait(false);
        }

        await MeasureCreateItemsAsync().ConfigureAwait(false);
    }

    private const int FastChangeMs = 10;
    private const int FastTags = 4000;

    /// <summary>Our server with the node-opcua peer's namespace and tags, every tag changing every <paramref name="changeMs"/>.</summary>
    private static async Task ServeAsync(int port, int tagCount, int changeMs)
    {
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = port, MinSamplingInterval = 1, MinPublishingInterval = 10 });
        ushort ns = server.AddressSpace.RegisterNamespace("urn:domioops:peer");
        DateTime now = DateTime.UtcNow;
        VariableNode[] tags = [.. Enumerable.Range(0, tagCount).Select(i => server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, $"Tag{i}"), new QualifiedName(ns, $"Tag{i}"), new Variant(0), now))];
        await server.StartAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine($"listening {port}");
        int tick = 0;
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(changeMs));
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            tick++;
            DateTime t = DateTime.UtcNow;
            foreach (VariableNode tag in tags)
            {
                tag.SetValue(new Variant(tick), t);
            }
        }
    }

    private static Task<double> MeasureOurClientAsync(string endpoint) => MeasureOurClientAsync(endpoint, Tags, SamplingMs);

    private static async Task<double> MeasureOurClientAsync(string endpoint, int tags, int samplingMs)
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = endpoint });
        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        ushort ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        OpcUaSubscription subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: samplingMs, QueueValues: false), CancellationToken.None).ConfigureAwait(false);
        long count = 0;
        subscription.DataChanged += (_, batch) => Interlocked.Add(ref count, batch.Count);
        await subscription.AddItemsAsync([.. Enumerable.Range(0, tags).Select(i => new MonitoredItemRequest(new NodeId(ns, $"Tag{i}"), samplingMs, 1))], CancellationToken.None).ConfigureAwait(false);
        await Task.Delay(3000).ConfigureAwait(false);
        Interlocked.Exchange(ref count, 0);
        Stopwatch watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(Seconds)).ConfigureAwait(false);
        long total = Interlocked.Read(ref count);
        return total / watch.Elapsed.TotalSeconds;
    }

    private static async Task MeasureCreateItemsAsync()
    {
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = 0 });
        ushort ns = server.AddressSpace.RegisterNamespace("urn:bench");
        DateTime now = DateTime.UtcNow;
        for (int i = 0; i < 10_000; i++)
        {
            server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, (uint)i), new QualifiedName(ns, $"V{i}"), new Variant(i), now);
        }

        await server.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = server.EndpointUrl });
        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        OpcUaSubscription subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 1000), CancellationToken.None).ConfigureAwait(false);
        Stopwatch watch = Stopwatch.StartNew();
        IReadOnlyList<MonitoredItem> items = await subscription.AddItemsAsync([.. Enumerable.Range(0, 10_000).Select(i => new MonitoredItemRequest(new NodeId(ns, (uint)i), 1000))], CancellationToken.None).ConfigureAwait(false);
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"create 10,000 monitored items on the DomioOps server (batches of {client.OperationLimits.MaxMonitoredItemsPerCall}): {watch.Elapsed.TotalMilliseconds:F0} ms, {items.Count(i => i.Status.IsGood)} good"));
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "DomioOps.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("DomioOps.sln not found above the benchmark binaries.");
    }

    private static Process Start(string file, string[] arguments, string folder)
    {
        ProcessStartInfo info = new(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
    }

    private static async Task WaitForLineAsync(Process process, string text)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is string line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return;
            }
        }

        throw new InvalidOperationException($"Peer exited before printing '{text}'.");
    }

    private static async Task<string> RunToEndAsync(string file, string[] arguments, string folder)
    {
        using Process process = Start(file, arguments, folder);
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {output}{await error.ConfigureAwait(false)}");
        }

        return output;
    }
}
