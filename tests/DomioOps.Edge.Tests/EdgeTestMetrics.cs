using System.Diagnostics.Metrics;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Edge.Tests;

/// <summary>A real <see cref="IMeterFactory"/> for the edge's metrics, and a listener that sums a counter.</summary>
internal static class EdgeTestMetrics
{
    public static EdgeMetrics Create(TimeProvider time) =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), time);

    /// <summary>Sums what <paramref name="instrument"/> of the edge meter records while <paramref name="action"/> runs.</summary>
    public static long Sum(string instrument, Action action)
    {
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == EdgeMetrics.MeterName && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref total, value));
        listener.Start();
        action();
        return total;
    }
}
