using System.Diagnostics.Metrics;

using DomioOps.Edge.Acquisition;
using DomioOps.Edge.StoreAndForward;

namespace DomioOps.Edge;

/// <summary>The edge meter: acquisition, the durable queue and publishing.</summary>
internal sealed class EdgeMetrics
{
    public const string MeterName = "DomioOps.Edge";

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _published;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _readFailures;
    private readonly Counter<long> _deviceSamples;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _acknowledgementsRefused;
    private readonly Counter<long> _configurationsUnverified;
    private readonly Histogram<double> _acknowledgementLatency;

    public EdgeMetrics(IMeterFactory meters, TimeProvider time)
    {
        this._time = time;
        _meter = meters.Create(MeterName);
        _enqueued = _meter.CreateCounter<long>("domio.edge.samples.enqueued", "{sample}", "Samples committed to the durable queue");
        _dropped = _meter.CreateCounter<long>("domio.edge.queue.dropped", "{sample}", "Samples lost to the queue's overflow policy or refused by the cloud");
        _published = _meter.CreateCounter<long>("domio.edge.samples.published", "{sample}", "Samples acknowledged (by the cloud, or the broker with Publishing:Acknowledgement Broker) and removed from the queue");
        _reconnects = _meter.CreateCounter<long>("domio.edge.mqtt.reconnects", "{connection}", "MQTT connections made after the first");
        _readFailures = _meter.CreateCounter<long>("domio.edge.device.read_failures", "{read}", "Failed device reads, by machine");
        _deviceSamples = _meter.CreateCounter<long>("domio.edge.device.samples", "{sample}", "Samples produced, by machine");
        _replayed = _meter.CreateCounter<long>("domio.edge.samples.replayed", "{sample}", "Published samples sent again because no acknowledgement came (reconnect or timeout)");
        _acknowledgementsRefused = _meter.CreateCounter<long>("domio.edge.acknowledgements.refused", "{acknowledgement}", "Acknowledgements ignored because they name a sequence above any this edge has published (forged, or left from before a restart)");
        _configurationsUnverified = _meter.CreateCounter<long>("domio.edge.configurations.unverified", "{configuration}", "Remote configurations refused unapplied: no configuration key is set (reason no_key) or their signature does not verify with it (reason bad_signature)");
        _acknowledgementLatency = _meter.CreateHistogram<double>(
            "domio.edge.samples.acknowledgement_latency",
            "ms",
            "Per sample removed from the queue on an acknowledgement: the time from its read at the device to its deletion",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AcknowledgementLatencyBuckets });
    }

    /// <summary>Fine enough below 100 ms (the issue #18 goal) to read p50/p99 from the Prometheus endpoint.</summary>
    public static IReadOnlyList<double> AcknowledgementLatencyBuckets { get; } = [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 125, 150, 200, 300, 500, 1000, 2000, 5000, 10000, 30000];

    public void ObserveQueue(SampleQueue queue)
    {
        _meter.CreateObservableGauge("domio.edge.queue.backlog", () => queue.Count, "{sample}", "Samples waiting for the cloud's acknowledgement");
        _meter.CreateObservableGauge("domio.edge.queue.backlog_bytes", () => queue.Bytes, "By", "Bytes waiting for the cloud's acknowledgement");
        _meter.CreateObservableGauge(
            "domio.edge.queue.oldest_age",
            () => queue.OldestEnqueued is { } oldest ? (_time.GetUtcNow() - oldest).TotalSeconds : 0,
            "s",
            "Age of the oldest unacknowledged sample");
    }

    /// <summary>Per machine: its health (0 connecting, 1 connected, 2 degraded, 3 failing).</summary>
    public void ObserveDevices(DeviceStatusBoard devices) =>
        _meter.CreateObservableGauge(
            "domio.edge.device.health",
            () => devices.Devices.Select(d => new Measurement<int>((int)d.Value.Health, new KeyValuePair<string, object?>("machine", d.Key))),
            "{health}",
            "Device health: 0 connecting, 1 connected, 2 degraded, 3 failing");

    public void DeviceSamples(string machine, long samples)
    {
        if (samples > 0)
        {
            _deviceSamples.Add(samples, new KeyValuePair<string, object?>("machine", machine));
        }
    }

    public Publishing.InFlightWindow ObserveWindow(Publishing.InFlightWindow window)
    {
        _meter.CreateObservableGauge("domio.edge.publishing.in_flight", () => (long)window.InFlight, "{sample}", "Samples published and not yet acknowledged");
        _meter.CreateObservableGauge("domio.edge.publishing.acknowledged_sequence", () => (long)window.Acknowledged, "{sequence}", "The highest sequence acknowledged (by the cloud or, in Broker mode, the broker)");
        return window;
    }

    public void Enqueued(long samples) => _enqueued.Add(samples);

    public void Dropped(long samples)
    {
        if (samples > 0)
        {
            _dropped.Add(samples);
        }
    }

    public void Published(long samples) => _published.Add(samples);

    /// <summary><paramref name="samples"/> read <paramref name="milliseconds"/> ago were deleted from the queue on an acknowledgement.</summary>
    public void AcknowledgedAfter(double milliseconds, long samples)
    {
        for (var i = 0; i < samples; i++)
        {
            _acknowledgementLatency.Record(milliseconds);
        }
    }

    public void Reconnected() => _reconnects.Add(1);

    public void Replayed(long samples) => _replayed.Add(samples);

    public void AcknowledgementRefused() => _acknowledgementsRefused.Add(1);

    public void ConfigurationUnverified(string reason) => _configurationsUnverified.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ReadFailed(string machine) => _readFailures.Add(1, new KeyValuePair<string, object?>("machine", machine));
}
