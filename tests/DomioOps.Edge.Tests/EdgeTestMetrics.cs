using System.Diagnostics.Metrics;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Edge.Tests;

/// <summary>A real <see cref="IMeterFactory"/> for the edge's metrics, and listeners that sum a counter or collect a histogram's values.</summary>
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

    /// <summary>The values <paramref name="instrument"/> (a histogram) of the edge meter records while <paramref name="action"/> runs.</summary>
    public static List<double> Recorded(string instrument, Action action)
    {
        var values = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == EdgeMetrics.MeterName && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (values)
            {
                values.Add(value);
            }
        });
        listener.Start();
        action();
        return values;
    }
}
