using System.Diagnostics;
using System.Globalization;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Benchmarks.OpcUa;

/// <summary>
/// Load harness: data change notifications received per second, and per CPU-second of the receiving client process, by
/// our client and by node-opcua's own client from the same node-opcua server (every tag changes every CHANGE_MS), in
/// interleaved rounds, with the server's CPU during each window; then the same against our server, and the time to
/// create 10,000 monitored items on our server.
/// Run: <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- opcua-load [--rounds N] [--seconds S]
/// [--tags N] [--change-ms N] [--sampling-ms N] [--publishing-ms N] [--queue N] [--only node|ours|create]</c>.
/// Each client runs in its own process (ours: <c>opcua-load client ...</c>, node-opcua's: <c>bench-client.js</c>) so its
/// CPU time is its own: user + system time over the counting window only.
/// </summary>
internal static class OpcUaLoad
{
    /// <summary>One client measurement: notifications in the window, its length, the client's and the server's CPU time in it.</summary>
    private sealed record Window(double Notifications, double Seconds, double ClientCpu, double ServerCpu)
    {
        public double Rate => Notifications / Seconds;

        public double PerCpuSecond => Notifications / ClientCpu;

        public double ClientCpuShare => ClientCpu / Seconds;

        public double ServerCpuShare => ServerCpu / Seconds;
    }

    /// <summary>A subscription load: tags changing every ChangeMs, sampled, published and queued as given.</summary>
    private sealed record Load(int Tags, int ChangeMs, int SamplingMs, int PublishingMs, int Queue)
    {
        public double Offered => Tags * 1000.0 / ChangeMs;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Tags} tags changing every {ChangeMs} ms ({Offered:N0} changes/s offered), sampling {SamplingMs} ms, publishing {PublishingMs} ms, queue {Queue}");
    }

    /// <summary>Entry from Program.cs; the arguments after "opcua-load" are read from the command line.</summary>
    public static Task RunAsync() => RunAsync(Environment.GetCommandLineArgs().SkipWhile(a => a != "opcua-load").Skip(1).ToArray());

    public static async Task RunAsync(string[] args)
    {
        if (args is ["serve", string portText, string tagsText, string changeText])
        {
            await ServeAsync(Int(portText), Int(tagsText), Int(changeText)).ConfigureAwait(false);
            return;
        }

        if (args is ["client", string endpoint, string clientTags, string sampling, string publishing, string queue, string windowText])
        {
            await RunOurClientAsync(endpoint, Int(clientTags), Int(sampling), Int(publishing), (uint)Int(queue), Dbl(windowText)).ConfigureAwait(false);
            return;
        }

        Dictionary<string, string> options = [];
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? Int(v) : fallback;
        var rounds = Option("rounds", 3);
        double seconds = Option("seconds", 10);
        var change = Option("change-ms", 50);
        Load load = new(Option("tags", 1000), change, Option("sampling-ms", change), Option("publishing-ms", Option("sampling-ms", change)), Option("queue", 1));
        var only = options.GetValueOrDefault("only", "");

        var folder = Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "node-opcua");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            await RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund"], folder).ConfigureAwait(false);
        }

        if (only is "" or "node")
        {
            var port = FreePort.Next();
            using var server = Start("node", ["server.js", Text(port), Text(load.Tags), Text(load.ChangeMs)], folder);
            await CompareAsync("node-opcua server", server, port, load, rounds, seconds, folder).ConfigureAwait(false);
        }

        if (only is "" or "ours")
        {
            // Our server in its own process can offer more changes than node-opcua's.
            var fast = only == "ours" ? load : new Load(FastTags, FastChangeMs, FastChangeMs, FastChangeMs, 1);
            var port = FreePort.Next();
            using var server = Start("dotnet", [typeof(OpcUaLoad).Assembly.Location, "opcua-load", "serve", Text(port), Text(fast.Tags), Text(fast.ChangeMs)], folder);
            await CompareAsync("DomioOps server", server, port, fast, rounds, seconds, folder).ConfigureAwait(false);
        }

        if (only is "" or "create")
        {
            await MeasureCreateItemsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Both clients against one server process, in rounds whose order alternates; per-round lines, then medians.</summary>
    private static async Task CompareAsync(string serverName, Process server, int port, Load load, int rounds, double seconds, string folder)
    {
        try
        {
            await WaitForLineAsync(server, $"listening {port}").ConfigureAwait(false);
            var endpoint = $"opc.tcp://127.0.0.1:{port}";
            Console.WriteLine($"{serverName}: {load}, {rounds} rounds of {seconds} s per client");
            List<(Window Ours, Window Theirs)> results = [];
            for (var round = 1; round <= rounds; round++)
            {
                var loadBefore = ProcessFigures.LoadAverage();
                Window ours = default!;
                Window theirs = default!;
                foreach (var oursFirst in round % 2 == 1 ? new[] { true, false } : [false, true])
                {
                    if (oursFirst)
                    {
                        ours = await MeasureAsync("dotnet", [typeof(OpcUaLoad).Assembly.Location, "opcua-load", "client", endpoint, Text(load.Tags), Text(load.SamplingMs), Text(load.PublishingMs), Text(load.Queue), Text(seconds)], folder, server).ConfigureAwait(false);
                    }
                    else
                    {
                        theirs = await MeasureAsync("node", ["bench-client.js", endpoint, Text(load.Tags), Text(load.SamplingMs), Text(seconds), Text(load.PublishingMs), Text(load.Queue), "3"], folder, server).ConfigureAwait(false);
                    }
                }

                results.Add((ours, theirs));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round} (load {loadBefore} -> {ProcessFigures.LoadAverage()}): DomioOps {ours.Rate:F0}/s, CPU {ours.ClientCpuShare:P0}, {ours.PerCpuSecond:F0}/CPU-s (server CPU {ours.ServerCpuShare:P0}) | node-opcua {theirs.Rate:F0}/s, CPU {theirs.ClientCpuShare:P0}, {theirs.PerCpuSecond:F0}/CPU-s (server CPU {theirs.ServerCpuShare:P0}) | rate ratio {ours.Rate / theirs.Rate:F2}, per-CPU ratio {ours.PerCpuSecond / theirs.PerCpuSecond:F2}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  median: DomioOps {Median(results, r => r.Ours.Rate):F0}/s at {Median(results, r => r.Ours.ClientCpuShare):P0} CPU = {Median(results, r => r.Ours.PerCpuSecond):F0}/CPU-s; node-opcua {Median(results, r => r.Theirs.Rate):F0}/s at {Median(results, r => r.Theirs.ClientCpuShare):P0} CPU = {Median(results, r => r.Theirs.PerCpuSecond):F0}/CPU-s; rate ratio {Median(results, r => r.Ours.Rate / r.Theirs.Rate):F2}, per-CPU ratio {Median(results, r => r.Ours.PerCpuSecond / r.Theirs.PerCpuSecond):F2}"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    private static double Median<T>(List<T> values, Func<T, double> of)
    {
        double[] sorted = [.. values.Select(of).Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Runs a client process; the server's CPU time is read when it prints START and when it prints its result.</summary>
    private static async Task<Window> MeasureAsync(string file, string[] arguments, string folder, Process server)
    {
        using var client = Start(file, arguments, folder);
        var errors = client.StandardError.ReadToEndAsync();
        double serverStart = 0;
        string? result = null;
        while (await client.StandardOutput.ReadLineAsync().ConfigureAwait(false) is string line)
        {
            if (line == "START")
            {
                serverStart = ProcessFigures.CpuTime(server.Id).TotalSeconds;
            }
            else if (line.StartsWith("NOTIFICATIONS ", StringComparison.Ordinal))
            {
                result = line;
                serverStart = ProcessFigures.CpuTime(server.Id).TotalSeconds - serverStart;
            }
        }

        await client.WaitForExitAsync().ConfigureAwait(false);
        if (result is null)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} printed no result: {await errors.ConfigureAwait(false)}");
        }

        var parts = result.Split(' ');
        return new Window(Dbl(parts[1]), Dbl(parts[2]), Dbl(parts[3]), serverStart);
    }

    /// <summary>
    /// Our client as a process of its own (the counterpart of bench-client.js): subscribes, waits 3 s after its items
    /// exist, prints START, counts through DataChanged for the window and prints "NOTIFICATIONS count seconds cpu-seconds"
    /// with this process's CPU time (all threads) in the window.
    /// </summary>
    private static async Task RunOurClientAsync(string endpoint, int tags, int samplingMs, int publishingMs, uint queue, double seconds)
    {
        // Five Publish requests in the pipeline, as node-opcua's client keeps (ClientSidePublishEngine.publishRequestCountInPipeline).
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = endpoint, PublishRequests = 5 });
        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        var ns = (ushort)client.NamespaceIndexOf("urn:domioops:peer");
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: publishingMs, QueueValues: false), CancellationToken.None).ConfigureAwait(false);
        long count = 0;
        subscription.DataChanged += (_, batch) => Interlocked.Add(ref count, batch.Count);
        var items = await subscription.AddItemsAsync([.. Enumerable.Range(0, tags).Select(i => new MonitoredItemRequest(new NodeId(ns, $"Tag{i}"), samplingMs, queue))], CancellationToken.None).ConfigureAwait(false);
        if (items.Any(i => i.Status.IsBad))
        {
            throw new InvalidOperationException($"items refused: {items.First(i => i.Status.IsBad).Status}");
        }

        await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        Console.WriteLine("START");
        using var self = Process.GetCurrentProcess();
        var cpuStart = self.TotalProcessorTime;
        Interlocked.Exchange(ref count, 0);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var total = Interlocked.Read(ref count);
        var elapsed = watch.Elapsed.TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuStart).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"NOTIFICATIONS {total} {elapsed:F3} {cpu:F3} lost {subscription.LostMessages}"));
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static double Dbl(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private const int FastChangeMs = 10;
    private const int FastTags = 4000;

    /// <summary>Our server with the node-opcua peer's namespace and tags, every tag changing every <paramref name="changeMs"/>.</summary>
    private static async Task ServeAsync(int port, int tagCount, int changeMs)
    {
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = port, MinSamplingInterval = 1, MinPublishingInterval = 10 });
        var ns = server.AddressSpace.RegisterNamespace("urn:domioops:peer");
        var now = DateTime.UtcNow;
        VariableNode[] tags = [.. Enumerable.Range(0, tagCount).Select(i => server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, $"Tag{i}"), new QualifiedName(ns, $"Tag{i}"), new Variant(0), now))];
        await server.StartAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine($"listening {port}");
        var tick = 0;
        using PeriodicTimer timer = new(TimeSpan.FromMilliseconds(changeMs));
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            tick++;
            var t = DateTime.UtcNow;
            foreach (var tag in tags)
            {
                tag.SetValue(new Variant(tick), t);
            }
        }
    }

    private static async Task MeasureCreateItemsAsync()
    {
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = 0 });
        var ns = server.AddressSpace.RegisterNamespace("urn:bench");
        var now = DateTime.UtcNow;
        for (var i = 0; i < 10_000; i++)
        {
            server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(ns, (uint)i), new QualifiedName(ns, $"V{i}"), new Variant(i), now);
        }

        await server.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = server.EndpointUrl });
        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 1000), CancellationToken.None).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var items = await subscription.AddItemsAsync([.. Enumerable.Range(0, 10_000).Select(i => new MonitoredItemRequest(new NodeId(ns, (uint)i), 1000))], CancellationToken.None).ConfigureAwait(false);
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"create 10,000 monitored items on the DomioOps server (batches of {client.OperationLimits.MaxMonitoredItemsPerCall}): {watch.Elapsed.TotalMilliseconds:F0} ms, {items.Count(i => i.Status.IsGood)} good"));
    }

    private static Process Start(string file, string[] arguments, string folder)
    {
        ProcessStartInfo info = new(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
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
        using var process = Start(file, arguments, folder);
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {output}{await error.ConfigureAwait(false)}");
        }

        return output;
    }
}
