using System.Globalization;
using System.Net;
using System.Text.Json;

using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.History;

/// <summary>
/// A time-series database started as a real process on 127.0.0.1 with its data under a temporary folder,
/// killed and deleted on dispose (PEERS.md: InfluxDB 1.x and VictoriaMetrics from Debian).
/// </summary>
public abstract class TimeSeriesServer : IAsyncLifetime
{
    private PeerProcess? _process;

    protected TimeSeriesServer()
    {
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/") };
    }

    public int Port { get; } = FreePort.Next();

    public HttpClient Http { get; }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("domioops-tsdb-").FullName;

    /// <summary>Where the line-protocol sink writes.</summary>
    public abstract Uri WriteUrl { get; }

    /// <summary>How many points of <paramref name="measurement"/> the server holds for <paramref name="machine"/>.</summary>
    public abstract Task<long> CountAsync(string measurement, string machine, CancellationToken cancellationToken);

    protected abstract (string FileName, string[] Arguments) Command();

    protected abstract string ReadyPath { get; }

    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var (fileName, arguments) = Command();
        _process = PeerProcess.Start(fileName, arguments, Directory);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{fileName} exited while starting:\n{_process.Output}");
            }

            try
            {
                using var response = await Http.GetAsync(ReadyPath, limit.Token);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{fileName} did not answer {ReadyPath} within 30 s:\n{_process.Output}");
            }

            await Task.Delay(100, limit.Token);
        }

        await PrepareAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying process; the temp folder is cleaned by the OS eventually.
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>InfluxDB 1.x (<c>influxd</c>): both bind addresses on 127.0.0.1, a database created over HTTP.</summary>
public sealed class InfluxDbServer : TimeSeriesServer
{
    public const string Database = "domio";

    public override Uri WriteUrl => new($"http://127.0.0.1:{Port}/write?db={Database}");

    protected override string ReadyPath => "ping";

    protected override (string FileName, string[] Arguments) Command()
    {
        var config = Path.Combine(Directory, "influxdb.conf");
        File.WriteAllText(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{FreePort.Next()}"
            [meta]
              dir = "{Directory}/meta"
            [data]
              dir = "{Directory}/data"
              wal-dir = "{Directory}/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false
            [monitor]
              store-enabled = false
            [continuous_queries]
              enabled = false
            """);
        return ("influxd", ["-config", config]);
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsync($"query?q={Uri.EscapeDataString($"CREATE DATABASE {Database}")}", null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public override async Task<long> CountAsync(string measurement, string machine, CancellationToken cancellationToken)
    {
        var query = $"SELECT count(value) FROM \"{measurement}\" WHERE machine = '{machine}'";
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"query?db={Database}&q={Uri.EscapeDataString(query)}", cancellationToken));
        var result = json.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
    }

    /// <summary>The text field of the points of <paramref name="machine"/>.</summary>
    public async Task<List<string>> TextsAsync(string measurement, string machine, CancellationToken cancellationToken)
    {
        var query = $"SELECT text FROM \"{measurement}\" WHERE machine = '{machine}' AND text <> ''";
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"query?db={Database}&q={Uri.EscapeDataString(query)}", cancellationToken));
        var result = json.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series)
            ? [.. series[0].GetProperty("values").EnumerateArray().Select(v => v[1].GetString()!)]
            : [];
    }
}

/// <summary>VictoriaMetrics single node: InfluxDB line protocol on <c>/write</c>, read back through the export API (which does not hide the newest 30 s).</summary>
public sealed class VictoriaMetricsServer : TimeSeriesServer
{
    public override Uri WriteUrl => new($"http://127.0.0.1:{Port}/write");

    protected override string ReadyPath => "health";

    protected override (string FileName, string[] Arguments) Command() =>
        ("victoria-metrics", [$"-storageDataPath={Directory}/data", $"-httpListenAddr=127.0.0.1:{Port}", "-retentionPeriod=100y", "-loggerLevel=ERROR"]);

    public override async Task<long> CountAsync(string measurement, string machine, CancellationToken cancellationToken)
    {
        // Make what was just ingested searchable.
        using (await Http.GetAsync("internal/force_flush", cancellationToken))
        {
        }

        var match = Uri.EscapeDataString($"{{__name__=\"{measurement}_value\",machine=\"{machine}\"}}");
        var body = await Http.GetStringAsync($"api/v1/export?match[]={match}&start=0", cancellationToken);
        long count = 0;
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            count += json.RootElement.GetProperty("values").GetArrayLength();
        }

        return count;
    }
}
