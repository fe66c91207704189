using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>What every driver shares: where samples go, where health is reported, the clock and the meter.</summary>
internal sealed class AcquisitionContext(SampleQueue queue, DeviceStatusBoard status, TimeProvider time, EdgeMetrics metrics, ILoggerFactory loggers)
{
    public DeviceStatusBoard Status => status;

    public TimeProvider Time => time;

    public EdgeMetrics Metrics => metrics;

    public ILogger Logger(string machine) => loggers.CreateLogger($"DomioOps.Edge.Device.{machine}");

    /// <summary>Commits the samples of one read or notification to the durable queue, counted per machine.</summary>
    public void Commit(List<Sample> samples)
    {
        if (samples.Count == 0)
        {
            return;
        }

        queue.Enqueue(samples);
        foreach (var machine in samples.GroupBy(s => s.Machine, StringComparer.Ordinal))
        {
            metrics.DeviceSamples(machine.Key, machine.Count());
        }
    }
}
