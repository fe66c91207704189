using System.Net.Http.Json;

using DomioOps.Testing;

namespace DomioOps.Simulators.Tests;

/// <summary>The simulator started as a real process with a scenario written for the test, and its control endpoint.</summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly DirectoryInfo _folder;

    private SimulatorProcess(HostProcess host, DirectoryInfo folder)
    {
        Host = host;
        this._folder = folder;
        Http = new HttpClient { BaseAddress = host.BaseAddress };
    }

    public HostProcess Host { get; }

    public HttpClient Http { get; }

    public string Folder => _folder.FullName;

    /// <summary>Where the simulator writes its ground-truth log.</summary>
    public string GroundTruthLog => Path.Combine(_folder.FullName, "gt.jsonl");

    /// <summary>Writes <paramref name="scenarioJson"/> to a temporary folder and starts the simulator on it.</summary>
    public static async Task<SimulatorProcess> StartAsync(string scenarioJson, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var folder = Directory.CreateTempSubdirectory("domioops-sim-");
        var scenario = Path.Combine(folder.FullName, "scenario.json");
        await File.WriteAllTextAsync(scenario, scenarioJson, cancellationToken);
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["Simulators__Scenario"] = scenario,
            ["Simulators__GroundTruthLog"] = Path.Combine(folder.FullName, "gt.jsonl"),
        };
        try
        {
            return new SimulatorProcess(await HostProcess.StartAsync("simulators/DomioOps.Simulators", variables, cancellationToken), folder);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    public async Task<MachineStatus> MachineAsync(string machine, CancellationToken cancellationToken) =>
        (await Http.GetFromJsonAsync<MachineStatus>($"api/machines/{machine}", cancellationToken))!;

    public async Task<FactoryStatus> FactoryAsync(CancellationToken cancellationToken) =>
        (await Http.GetFromJsonAsync<FactoryStatus>("api/factory", cancellationToken))!;

    public async Task SetFaultAsync(string machine, string fault, CancellationToken cancellationToken)
    {
        using var response = fault == "none"
            ? await Http.DeleteAsync(new Uri($"api/machines/{machine}/fault", UriKind.Relative), cancellationToken)
            : await Http.PostAsync(new Uri($"api/machines/{machine}/fault/{fault}", UriKind.Relative), null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
