using DomioOps.Benchmarks.Cloud;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// The fault soak of <c>benchmarks/DomioOps.Benchmarks -- soak</c>, short: two minutes of the simulated factory through
/// two edges, Mosquitto and three silos on PostgreSQL at about 440 samples/s (4 saws), while the seeded schedule kills a silo,
/// restarts PostgreSQL and Mosquitto, kills an edge and cuts a device. Nothing may be lost, doubled, miscounted or go backwards.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoMinutesOfFaults_NothingLostDoubledOrMiscounted()
    {
        var settings = new SoakSettings(TimeSpan.FromMinutes(2), Rate: 400, Seed: 18);
        var faults = SoakSchedule.Create(settings.Duration, settings.Seed, settings.Silos, settings.Edges, settings.Machines);
        Assert.All(Enum.GetValues<SoakFaultKind>(), kind => Assert.Contains(faults, f => f.Kind == kind));

        var result = await SoakRun.RunAsync(settings, output.WriteLine, TestContext.Current.CancellationToken);

        output.WriteLine(result.Line());
        Assert.True(result.Passed, string.Join("\n", result.Findings.Prepend(result.Line())));
        Assert.Equal(faults.Count, result.Faults.Values.Sum());
    }
}
