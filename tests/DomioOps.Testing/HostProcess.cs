using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DomioOps.Testing;

/// <summary>
/// One of our own hosts (cloud, edge, simulators) started as a real process: <c>dotnet X.dll</c> from the
/// project's build output, configured by environment variables, listening on 127.0.0.1. Its output is kept
/// for the failure message. Disposing kills it (and what it started).
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly HttpClient Metrics = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, string name, int httpPort)
    {
        this._process = process;
        Name = name;
        HttpPort = httpPort;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
    }

    public string Name { get; }

    public int HttpPort { get; }

    /// <summary>The operating system's id of the process (for CPU and memory readings).</summary>
    public int ProcessId => _process.Id;

    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process has written so far.</summary>
    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>
    /// Starts <paramref name="project"/> (a path relative to the repository root, e.g. <c>cloud/DomioOps.Cloud</c>)
    /// and waits until its <c>/health/live</c> answers.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, int? httpPort = null, TimeSpan? startLimit = null)
    {
        var root = RepositoryRoot.Find();
        var name = Path.GetFileName(project);
        var projectDirectory = Path.Combine(root, project);
        var dll = FindBuildOutput(projectDirectory, name);
        var port = httpPort ?? FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--contentRoot", projectDirectory },
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        // The cloud: sessions over this plain HTTP on loopback, its key ring encrypted with the tests' certificate.
        start.Environment["Security__AllowInsecureHttp"] = "true";
        foreach (var (key, value) in KeyRingCertificates.Settings("__"))
        {
            start.Environment[key] = value;
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var host = new HostProcess(process, name, port);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilLiveAsync(startLimit ?? TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Stops the process: SIGTERM (a clean host shutdown) or SIGKILL (a crash).</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (kill || OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
        }
        else
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(kill: true);
        _process.Dispose();
    }

    /// <summary>
    /// A metric from the host's Prometheus endpoint (<c>/metrics</c>): the first series named <paramref name="name"/> whose
    /// labels contain <paramref name="label"/> (e.g. <c>grain="this-silo"</c>); null when the host reports none.
    /// </summary>
    public async Task<double?> MetricAsync(string name, CancellationToken cancellationToken, string label = "")
    {
        var text = await Metrics.GetStringAsync(new Uri(BaseAddress, "metrics"), cancellationToken);
        var line = text.Split('\n').FirstOrDefault(l =>
            (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)) && l.Contains(label, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(line.LastIndexOf('}') is var end and >= 0 ? end + 1 : name.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public override string ToString() => $"{Name} (pid {_process.Id}, http {HttpPort})";

    private static string FindBuildOutput(string projectDirectory, string name)
    {
        // The configuration the tests were built with, so a Release test run starts Release hosts.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(projectDirectory, "bin", configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; build the solution first (dotnet build DomioOps.sln -c {configuration})", dll);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilLiveAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health/live", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while starting.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} did not answer /health/live within {limit.TotalSeconds} s:\n{Output}");
    }
}
