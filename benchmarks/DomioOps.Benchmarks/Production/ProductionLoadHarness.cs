using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Benchmarks.Cloud;
using DomioOps.Cloud.Production;
using DomioOps.Testing;

using Npgsql;

namespace DomioOps.Benchmarks.Production;

/// <summary>
/// Production tracking under load, against the cloud host as a process on a real PostgreSQL:
/// <list type="number">
/// <item><c>production-load import [parts]</c>: a cut list of that many parts (default 5,000) read by the reader alone
/// (time and bytes allocated), then imported through the API as CSV and as XLSX (time from POST to 201, and the cloud's
/// resident memory before and its peak after);</item>
/// <item><c>production-load terminals [terminals] [seconds]</c>: that many terminals (default 200), each bound to its own
/// work centre and running its own operation, each sending an action about once a second (randomised ±50 %): mostly a
/// report of one good piece, every tenth a pause and a start again. The latency is from the POST to its answer, which
/// comes after the commit. At the end every operation's good count must equal the reports its terminal had answered.</item>
/// <item><c>production-load lighthouse</c>: Lighthouse 12.2.3 on the operator terminal (mobile preset), signed in as a
/// terminal with an operator identified, a kitchen order in its queue.</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- production-load import|terminals|lighthouse [...]</c>
/// </summary>
internal static class ProductionLoadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var ct = CancellationToken.None;
        int Number(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        switch (args.FirstOrDefault())
        {
            case "import":
                await ImportAsync(Number(1, 5000), ct);
                return 0;
            case "terminals":
                return await TerminalsAsync(Number(1, 200), TimeSpan.FromSeconds(Number(2, 60)), ct);
            case "lighthouse":
                await LighthouseAsync(ct);
                return 0;
            default:
                Console.Error.WriteLine("usage: production-load import [parts] | terminals [terminals] [seconds] | lighthouse");
                return 2;
        }
    }

    private static async Task ImportAsync(int parts, CancellationToken ct)
    {
        var csv = CutListCsv(parts);
        var xlsx = CutListXlsx(parts);
        Console.WriteLine($"production-load import: {parts} parts, CSV {csv.Length / 1024} KiB, XLSX {xlsx.Length / 1024} KiB");
        foreach (var (name, bytes) in new[] { ("cut-list.csv", csv), ("cut-list.xlsx", xlsx) })
        {
            // Warm the reader once, then measure it alone.
            CutListReader.Read(new MemoryStream(bytes), name);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            var read = CutListReader.Read(new MemoryStream(bytes), name);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reader alone, {name}: {read.Parts.Count} parts in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / 1024:F1} MiB allocated"));
        }

        await using var cloud = await CloudHost.StartAsync(Shop, ct);
        foreach (var (name, bytes) in new[] { ("cut-list.csv", csv), ("cut-list.xlsx", xlsx) })
        {
            var residentBefore = ProcessFigures.ResidentBytes(cloud.Process.ProcessId);
            using var form = new MultipartFormDataContent
            {
                { new StringContent($"BENCH-{Path.GetExtension(name)[1..]}"), "number" },
                { new StringContent("Benchmark kitchens"), "customer" },
                { new StringContent("2026-12-31"), "dueDate" },
                { new StringContent("3"), "priority" },
                { new ByteArrayContent(bytes), "file", name },
            };
            var started = Stopwatch.GetTimestamp();
            using var response = await cloud.Admin.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), form, ct);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Created)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                throw new InvalidOperationException($"import of {name}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 1000)]}");
            }

            var created = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"import through the API, {name}: {created.GetProperty("parts").GetInt32()} parts and {created.GetProperty("operations").GetInt32()} operations committed in {elapsed:F0} ms; cloud resident {residentBefore / 1048576.0:F0} MiB before, peak {ProcessFigures.PeakResidentBytes(cloud.Process.ProcessId) / 1048576.0:F0} MiB"));
        }
    }

    private static async Task<int> TerminalsAsync(int terminals, TimeSpan duration, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>();
        for (var i = 0; i < terminals; i++)
        {
            settings[$"Production__WorkCentres__{i}__Id"] = Centre(i);
            settings[$"Production__WorkCentres__{i}__Name"] = $"Saw {i + 1}";
            settings[$"Production__WorkCentres__{i}__Kind"] = nameof(WorkCentreKind.PanelSaw);
            settings[$"Production__WorkCentres__{i}__Machines__0"] = $"saw-{i + 1:D3}";
        }

        await using var cloud = await CloudHost.StartAsync(settings, ct);
        var operations = await cloud.OperationsAsync(terminals, ct);
        Console.WriteLine($"production-load terminals: {terminals} terminals, each an action per ~1 s, {duration.TotalSeconds:F0} s; cloud {cloud.Process}");
        var clients = new List<HttpClient>();
        for (var i = 0; i < terminals; i++)
        {
            clients.Add(await cloud.TerminalAsync(Centre(i), ct));
        }

        var latencies = new List<double>();
        var goodSent = new int[terminals];
        var clock = Stopwatch.StartNew();
        var figures = Task.Run(async () =>
        {
            await Task.Delay(WarmUp, ct);
            return (Load: ProcessFigures.LoadAverage(), Cpu: ProcessFigures.CpuTime(cloud.Process.ProcessId));
        }, ct);
        var load = Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            await SendAsync(client, new { kind = "start", operationId = operations[index] }, null, ct);
            await Task.Delay(TimeSpan.FromSeconds(random.NextDouble()), ct);
            for (var i = 1; clock.Elapsed < WarmUp + duration; i++)
            {
                var kind = (i % 10) switch
                {
                    0 => "pause",
                    1 when i > 1 => "start",
                    _ => "report",
                };
                // The first seconds warm the host (JIT, pools, grain activations) and are not measured.
                await SendAsync(client, new { kind, operationId = operations[index], good = kind == "report" ? 1 : (int?)null }, clock.Elapsed < WarmUp ? null : latencies, ct);
                goodSent[index] += kind == "report" ? 1 : 0;

                await Task.Delay(TimeSpan.FromSeconds(0.5 + random.NextDouble()), ct);
            }
        }, ct)));
        try
        {
            await load;
        }
        catch
        {
            File.WriteAllText(Path.Combine(Path.GetTempPath(), "production-load-cloud.log"), cloud.Process.Output);
            throw;
        }

        var (loadBefore, cpuBefore) = await figures;
        var cpu = ProcessFigures.CpuTime(cloud.Process.ProcessId) - cpuBefore;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Count} actions measured in {(clock.Elapsed - WarmUp).TotalSeconds:F0} s after {WarmUp.TotalSeconds:F0} s of warm-up ({latencies.Count / (clock.Elapsed - WarmUp).TotalSeconds:F0}/s); load average before {loadBefore}, after {ProcessFigures.LoadAverage()}; cloud CPU {cpu.TotalSeconds:F1} s ({cpu.TotalSeconds / (clock.Elapsed - WarmUp).TotalSeconds * 100:F0} % of one core)"));
        LatencyReport.Print("terminal action, POST to committed answer", latencies);
        var good = await cloud.GoodAsync(operations, ct);
        var wrong = operations.Select((id, i) => good[id] == goodSent[i] ? 0 : 1).Sum();
        Console.WriteLine($"exactly once: {terminals - wrong} of {terminals} operations hold exactly the good pieces their terminal reported");
        return wrong == 0 ? 0 : 1;
    }

    private static async Task LighthouseAsync(CancellationToken ct)
    {
        await using var cloud = await CloudHost.StartAsync(Shop, ct);
        var kitchen = await cloud.Admin.GetByteArrayAsync(new Uri("api/production/cut-list-templates/kitchen-cut-list.csv", UriKind.Relative), ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("KITCHEN-1"), "number" },
            { new StringContent("Ivanov kitchens"), "customer" },
            { new StringContent("2026-12-31"), "dueDate" },
            { new StringContent("2"), "priority" },
            { new ByteArrayContent(kitchen), "file", "kitchen.csv" },
        };
        using (var imported = await cloud.Admin.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), form, ct))
        {
            imported.EnsureSuccessStatusCode();
        }

        var cookie = await cloud.TerminalWithOperatorCookieAsync("saw", ct);
        await Lighthouse.RunAsync("operator terminal", new Uri(cloud.Process.BaseAddress, "terminal/"), desktop: false, cookie, ct);
    }

    private static async Task SendAsync(HttpClient client, object action, List<double>? latencies, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToNode(action)!.AsObject();
        body["key"] = Guid.NewGuid();
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsJsonAsync("api/terminal/actions", body, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{body.ToJsonString()}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        if (latencies is not null)
        {
            lock (latencies)
            {
                latencies.Add(elapsed);
            }
        }
    }

    /// <summary>A panel saw, an edgebander and a CNC router: every routing of the cut lists has its work centres.</summary>
    private static Dictionary<string, string> Shop => new()
    {
        ["Production__WorkCentres__0__Id"] = "saw",
        ["Production__WorkCentres__0__Name"] = "Panel saw",
        ["Production__WorkCentres__0__Kind"] = nameof(WorkCentreKind.PanelSaw),
        ["Production__WorkCentres__0__Machines__0"] = "saw-01",
        ["Production__WorkCentres__1__Id"] = "edging",
        ["Production__WorkCentres__1__Name"] = "Edgebander",
        ["Production__WorkCentres__1__Kind"] = nameof(WorkCentreKind.Edgebander),
        ["Production__WorkCentres__2__Id"] = "cnc",
        ["Production__WorkCentres__2__Name"] = "CNC router",
        ["Production__WorkCentres__2__Kind"] = nameof(WorkCentreKind.CncRouter),
    };

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);

    private static string Centre(int index) => $"saw-centre-{index + 1:D3}";

    private static readonly string[] Materials = ["Egger W1000 ST9", "Kronospan K001 PW", "Egger H1145 ST10", "Lamarty Ясень Шимо"];

    private static IEnumerable<string[]> Rows(int parts)
    {
        yield return ["Наименование", "Материал", "Толщина", "Длина", "Ширина", "Количество", "Текстура", "Кромка Д1", "Кромка Д2", "Кромка Ш1", "Кромка Ш2", "Программа"];
        for (var i = 0; i < parts; i++)
        {
            var edged = i % 3 != 0;
            yield return
            [
                $"Деталь {i + 1}", Materials[i % Materials.Length], "18", $"{300 + (i % 2000)}", $"{100 + (i % 500)},5", $"{1 + (i % 8)}",
                i % 2 == 0 ? "вдоль" : "", edged ? "ПВХ 2" : "", edged ? "ПВХ 0,4" : "", "", "", i % 4 == 0 ? $"P{i}.mpr" : "",
            ];
        }
    }

    private static byte[] CutListCsv(int parts) =>
        Encoding.UTF8.GetBytes(string.Join("\n", Rows(parts).Select(r => string.Join(';', r))));

    private static byte[] CutListXlsx(int parts)
    {
        var rows = Rows(parts).ToList();
        var sheet = rows.Skip(1).Select(r => rows[0].Zip(r).ToDictionary(p => p.First, p => (object)p.Second));
        using var stream = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(stream, sheet);
        return stream.ToArray();
    }
}
