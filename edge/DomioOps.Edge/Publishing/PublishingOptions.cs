namespace DomioOps.Edge.Publishing;

/// <summary>The MQTT connection to the cloud and how telemetry is batched.</summary>
public sealed class PublishingOptions
{
    public string BrokerHost { get; set; } = "127.0.0.1";

    public int BrokerPort { get; set; } = 1883;

    /// <summary>The MQTT user name; <c>{Site}/{Id}</c> when not set.</summary>
    public string? UserName { get; set; }

    /// <summary>This edge's MQTT password, as the cloud issued it; give it through the environment (<c>Edge__Publishing__Password</c>) or a file readable only by the service, not in appsettings.json.</summary>
    public string? Password { get; set; }

    /// <summary>MQTT over TLS (the broker's TLS port, usually 8883).</summary>
    public bool Tls { get; set; }

    /// <summary>With <see cref="Tls"/>: a PEM file of the CA(s) the broker's certificate must chain to; the system's trust store when not set.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>With <see cref="Tls"/>: the host name the broker's certificate must be issued for; <see cref="BrokerHost"/> when not set.</summary>
    public string? TlsTargetHost { get; set; }

    /// <summary>With <see cref="Tls"/>: this edge's client certificate (PEM) and key, for brokers that require mutual TLS.</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// The most samples in one batch. A full batch is published at once; so is a partial one when nothing is in flight
    /// (what arrives during a publish forms the next batch, so batches grow with the load).
    /// </summary>
    public int MaxBatchSamples { get; set; } = 500;

    /// <summary>
    /// While samples are in flight (published, waiting for the cloud's acknowledgement), a partial batch waits for the
    /// acknowledgement, but no longer than until its oldest sample is this old.
    /// </summary>
    public TimeSpan MaxBatchAge { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whose word removes a sample from the durable queue; see <see cref="Publishing.Acknowledgement"/>.</summary>
    public Acknowledgement Acknowledgement { get; set; } = Acknowledgement.Cloud;

    /// <summary>With <see cref="Acknowledgement.Cloud"/>: samples published but not yet acknowledged, at most; publishing pauses beyond.</summary>
    public int MaxInFlightSamples { get; set; } = 100_000;

    /// <summary>With <see cref="Acknowledgement.Cloud"/>: when the cloud's acknowledgement does not advance for this long, everything unacknowledged is published again.</summary>
    public TimeSpan AcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
