using DomioOps.Testing;

namespace DomioOps.Simulators.Tests;

/// <summary>A seeded scenario run twice as real, accelerated, bounded processes logs the same ground truth.</summary>
public sealed class GroundTruthRunTests
{
    // Four factory days at 43200× take about eight wall seconds; failures are made frequent enough to appear.
    private const string Scenario = """
        {
          "seed": 11,
          "start": "2026-01-05T00:00:00Z",
          "acceleration": 43200,
          "duration": "4.00:00:00",
          "shifts": [ { "name": "day", "start": "06:00:00", "end": "22:00:00" } ],
          "machines": [
            { "id": "cnc-01", "kind": "cnc-router", "port": 0, "failures": { "spindle-bearing": { "meanTimeToOnset": "1.00:00:00", "progression": "06:00:00", "repair": "02:00:00" } } },
            { "id": "saw-01", "kind": "panel-saw", "port": 0, "failures": { "blade-dulling": { "meanTimeToOnset": "1.00:00:00", "progression": "04:00:00", "repair": "00:40:00" } } },
            { "id": "eb-01", "kind": "edgebander", "protocol": "modbus-tcp", "port": 0, "failures": { "glue-heater": { "meanTimeToOnset": "1.00:00:00", "progression": "03:00:00", "repair": "01:30:00" } } }
          ]
        }
        """;

    [Fact]
    public async Task AcceleratedRunTwice_SameSeed_SameGroundTruthLogAsTheGroundTruthCommand()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await RunAsync(ct);
        var second = await RunAsync(ct);

        Assert.Contains(first, l => l.Contains("\"event\":\"onset\"", StringComparison.Ordinal));
        Assert.Contains(first, l => l.Contains("\"event\":\"failure\"", StringComparison.Ordinal));
        Assert.Contains(first, l => l.Contains("\"event\":\"repair\"", StringComparison.Ordinal));
        Assert.Equal(first, second);

        var folder = Directory.CreateTempSubdirectory("domioops-gt-");
        try
        {
            var scenario = Path.Combine(folder.FullName, "scenario.json");
            var output = Path.Combine(folder.FullName, "gt.jsonl");
            await File.WriteAllTextAsync(scenario, Scenario, ct);
            var dll = Path.Combine(AppContext.BaseDirectory, "DomioOps.Simulators.dll");
            await PeerProcess.RunAsync("dotnet", [dll, "ground-truth", "--scenario", scenario, "--output", output], folder.FullName, TimeSpan.FromSeconds(60), ct);
            Assert.Equal(first, await File.ReadAllLinesAsync(output, ct));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<string[]> RunAsync(CancellationToken ct)
    {
        await using var simulator = await SimulatorProcess.StartAsync(Scenario, ct);
        var log = simulator.GroundTruthLog;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(90));
        while (!(await simulator.FactoryAsync(bound.Token)).Completed)
        {
            await Task.Delay(200, bound.Token);
        }

        await simulator.Host.StopAsync();
        return await File.ReadAllLinesAsync(log, ct);
    }
}
