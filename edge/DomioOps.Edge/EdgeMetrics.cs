using System.Diagnostics.Metrics;

using DomioOps.Edge.Acquisition;
using DomioOps.Edge.StoreAndForward;

namespace DomioOps.Edge;

/// <summary>The edge meter: acquisition, the durable queue and publishing.</summary>
internal sealed class EdgeMetrics
{
    public const string MeterName = "DomioOps.Edge";

    private readonly Meter meter;
    private readonly TimeProvider time;
    private readonly Counter<long> enqueued;
    private readonly Counter<long> dropped;
    private readonly Counter<long> published;
    private readonly Counter<long> reconnects;
    private readonly Counter<long> readFailures;
    private readonly Counter<long> deviceSamples;
    private readonly Counter<long> replayed;
    private readonly Counter<long> acknowledgementsRefused;
    private readonly Counter<long> configurationsUnverified;

    public EdgeMetrics(IMeterFactory meters, TimeProvider time)
    {
        this.time = time;
        meter = meters.Create(MeterName);
        enqueued = meter.CreateCounter<long>("domio.edge.samples.enqueued", "{sample}", "Samples committed to the durable queue");
        dropped = meter.CreateCounter<long>("domio.edge.queue.dropped", "{sample}", "Samples lost to the queue's overflow policy or refused by the cloud");
        published = meter.CreateCounter<long>("domio.edge.samples.published", "{sample}", "Samples acknowledged (by the cloud, or the broker with Publishing:Acknowledgement Broker) and removed from the queue");
        reconnects = meter.CreateCounter<long>("domio.edge.mqtt.reconnects", "{connection}", "MQTT connections made after the first");
        readFailures = meter.CreateCounter<long>("domio.edge.device.read_failures", "{read}", "Failed device reads, by machine");
        deviceSamples = meter.CreateCounter<long>("domio.edge.device.samples", "{sample}", "Samples produced, by machine");
        replayed = meter.CreateCounter<long>("domio.edge.samples.replayed", "{sample}", "Published samples sent again because no acknowledgement came (reconnect or timeout)");
        acknowledgementsRefused = meter.CreateCounter<long>("domio.edge.acknowledgements.refused", "{acknowledgement}", "Acknowledgements ignored because they name a sequence above any this edge has published (forged, or left from before a restart)");
        configurationsUnverified = meter.CreateCounter<long>("domio.edge.configurations.unverified", "{configuration}", "Remote configurations refused unapplied: no configuration key is set (reason no_key) or their signature does not verify with it (reason bad_signature)");
    }

    public void ObserveQueue(SampleQueue queue)
    {
        meter.CreateObservableGauge("domio.edge.queue.backlog", () => queue.Count, "{sample}", "Samples waiting for the cloud's acknowledgement");
        meter.CreateObservableGauge("domio.edge.queue.backlog_bytes", () => queue.Bytes, "By", "Bytes waiting for the cloud's acknowledgement");
        meter.CreateObservableGauge(
            "domio.edge.queue.oldest_age",
            () => queue.OldestEnqueued is { } oldest ? (time.GetUtcNow() - oldest).TotalSeconds : 0,
            "s",
            "Age of the oldest unacknowledged sample");
    }

    /// <summary>Per machine: its health (0 connecting, 1 connected, 2 degraded, 3 failing).</summary>
    public void ObserveDevices(DeviceStatusBoard devices) =>
        meter.CreateObservableGauge(
            "domio.edge.device.health",
            () => devices.Devices.Select(d => new Measurement<int>((int)d.Value.Health, new KeyValuePair<string, object?>("machine", d.Key))),
            "{health}",
            "Device health: 0 connecting, 1 connected, 2 degraded, 3 failing");

    public void DeviceSamples(string machine, long samples)
    {
        if (samples > 0)
        {
            deviceSamples.Add(samples, new KeyValuePair<string, object?>("machine", machine));
        }
    }

    public Publishing.InFlightWindow ObserveWindow(Publishing.InFlightWindow window)
    {
        meter.CreateObservableGauge("domio.edge.publishing.in_flight", () => (long)window.InFlight, "{sample}", "Samples published and not yet acknowledged");
        meter.CreateObservableGauge("domio.edge.publishing.acknowledged_sequence", () => (long)window.Acknowledged, "{sequence}", "The highest sequence acknowledged (by the cloud or, in Broker mode, the broker)");
        return window;
    }

    public void Enqueued(long samples) => enqueued.Add(samples);

    public void Dropped(long samples)
    {
        if (samples > 0)
        {
            dropped.Add(samples);
        }
    }

    public void Published(long samples) => published.Add(samples);

    public void Reconnected() => reconnects.Add(1);

    public void Replayed(long samples) => replayed.Add(samples);

    public void AcknowledgementRefused() => acknowledgementsRefused.Add(1);

    public void ConfigurationUnverified(string reason) => configurationsUnverified.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ReadFailed(string machine) => readFailures.Add(1, new KeyValuePair<string, object?>("machine", machine));
}
