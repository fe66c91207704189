namespace DomioOps.Testing;

/// <summary>How the silos of a cluster split the edges' telemetry subscriptions between them.</summary>
public static class EdgeOwnership
{
    /// <summary>
    /// Waits until the silos subscribe to each of <paramref name="edges"/> edges exactly once: every silo reports
    /// <c>domio_ingestion_edges_subscribed</c> and they add up to <paramref name="edges"/>, three looks in a row a second
    /// apart. Until then, a silo that joined is taking edges over (a hand-over keeps both silos subscribed for a while).
    /// </summary>
    public static async Task SettledAsync(IReadOnlyList<HostProcess> silos, int edges, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        var looks = 0;
        while (looks < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the silos did not settle on one subscription per edge for {edges} edges within {limit.TotalSeconds} s");
            }

            var subscribed = new List<double?>();
            foreach (var silo in silos)
            {
                subscribed.Add(await silo.MetricAsync("domio_ingestion_edges_subscribed", ct));
            }

            looks = subscribed.All(s => s is not null) && subscribed.Sum() == edges ? looks + 1 : 0;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
