using DomioOps.Cloud.Planning;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>
/// The forecast's calibration on synthetic data (also run by the planning-load benchmark, linked there): a factory
/// whose work centres' true set-up and cycle ratios are log-normal, each with its own median (0.9-1.3) and spread
/// (σ 0.1-0.4); the forecast is given 200 measured values per work centre, and each "actual" month is one trial drawn
/// from the true distributions (5,000 values each) with its own seed.
/// </summary>
internal static class Calibration
{
    public static (IReadOnlyList<OrderCompletion> Forecast, List<IReadOnlyList<OrderCompletion>> Actual) Run(int operations, int centres, int worlds, DateTimeOffset now, int seed = 15)
    {
        var input = SyntheticShop.Factory(operations, centres, now, seed);
        var plan = Scheduler.Plan(input);
        var random = new Random(seed);
        var measured = new List<WorkCentreHistory>();
        var truth = new List<WorkCentreHistory>();
        foreach (var centre in input.Centres)
        {
            var median = 0.9 + (random.NextDouble() * 0.4);
            var sigma = 0.1 + (random.NextDouble() * 0.3);
            measured.Add(new WorkCentreHistory(centre.Id, Draw(random, median, sigma, 200), Draw(random, median, sigma, 200), []));
            truth.Add(new WorkCentreHistory(centre.Id, Draw(random, median, sigma, 5000), Draw(random, median, sigma, 5000), []));
        }

        var forecast = DueDateForecast.Run(plan, measured, DueDateForecast.DefaultTrials, (ulong)seed);
        var actual = new List<IReadOnlyList<OrderCompletion>>();
        for (var world = 0; world < worlds; world++)
        {
            actual.Add(DueDateForecast.Run(plan, truth, 1, (ulong)(1000 + world)));
        }

        return (forecast, actual);
    }

    /// <summary>The share of orders (over every simulated month) that finished by their forecast P90.</summary>
    public static double Share(IReadOnlyList<OrderCompletion> forecast, List<IReadOnlyList<OrderCompletion>> actual)
    {
        var p90 = forecast.ToDictionary(f => f.OrderId, f => f.P90);
        int hits = 0, total = 0;
        foreach (var world in actual)
        {
            foreach (var order in world)
            {
                total++;
                hits += order.P50 <= p90[order.OrderId] ? 1 : 0;
            }
        }

        return (double)hits / total;
    }

    private static double[] Draw(Random random, double median, double sigma, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => median * Math.Exp(sigma * Normal(random)))];

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
