using System.Globalization;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The fault soak as a command (<see cref="SoakRun"/>): prints the chaos schedule and every fault as it is injected,
/// then one line of figures; exits 1 when anything was lost, doubled, mismatched or went backwards.
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- soak --minutes 30 --rate 5000 --seed 42 --silos 3</c>
/// </summary>
internal static class SoakHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = 30.0;
        var rate = 5000;
        var seed = 42;
        var silos = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--minutes":
                    minutes = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--rate":
                    rate = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--silos":
                    silos = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"soak: unknown option '{args[i]}'; use --minutes M --rate SAMPLES_PER_S --seed N --silos N");
                    return 2;
            }
        }

        if (args.Length % 2 != 0 || minutes < 2 || rate < 1 || silos < 2)
        {
            Console.Error.WriteLine("soak: use --minutes M (at least 2) --rate SAMPLES_PER_S --seed N --silos N (at least 2: one is killed)");
            return 2;
        }

        var result = await SoakRun.RunAsync(new SoakSettings(TimeSpan.FromMinutes(minutes), rate, seed, silos), Console.WriteLine, CancellationToken.None);
        foreach (var finding in result.Findings)
        {
            Console.WriteLine($"FINDING: {finding}");
        }

        Console.WriteLine(result.Line());
        return result.Passed ? 0 : 1;
    }
}
