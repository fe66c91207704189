using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Where edge telemetry arrives (section <c>Broker</c>): an MQTT broker embedded in this process (one node),
/// or an external MQTT 5 broker that every silo consumes through one shared subscription (a cluster).
/// </summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public BrokerMode Mode { get; set; } = BrokerMode.Embedded;

    /// <summary>Embedded: the address to listen on (127.0.0.1 unless edges connect from other hosts). External: the broker's host.</summary>
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>External: the shared-subscription group all silos join for the edges' status, so each goes to one silo (telemetry goes to the silo that owns the edge).</summary>
    public string ShareGroup { get; set; } = "domio-cloud";

    /// <summary>External: this silo's MQTT client id; stable across restarts so unacknowledged batches are redelivered to it.</summary>
    public string ClientId { get; set; } = $"domio-cloud-{Environment.MachineName}";

    /// <summary>
    /// External: the MQTT 5 Receive Maximum this silo asks of the broker, i.e. how many batches it takes at once. They
    /// are committed concurrently (batches of one edge that arrive together in one transaction) and acknowledged in
    /// order; a batch beyond a sequence hole waits for the one that fills it. Small, so that what a silo has taken is
    /// committed well within the cluster's call timeout (30 s) even on a loaded machine: 100 collapsed three silos
    /// sharing two cores (calls timed out, the batches were delivered again and timed out again).
    /// </summary>
    [Range(1, 65535)]
    public int ReceiveMaximum { get; set; } = 32;

    /// <summary>External: this silo's MQTT user name; with <see cref="Password"/> also written to the generated Mosquitto files.</summary>
    public string? UserName { get; set; }

    /// <summary>External: this silo's MQTT password; give it through the environment (<c>Broker__Password</c>), never a file.</summary>
    public string? Password { get; set; }

    /// <summary>Edges registered at start (more can be registered through the API). Only password hashes, never passwords.</summary>
    public List<EdgeCredentialOptions> Edges { get; set; } = [];

    /// <summary>
    /// The PEM file of the ECDSA P-256 key that signs edge configurations (made on first start when missing; give every
    /// silo the same file). Remote configuration is off while it is not set.
    /// </summary>
    public string? ConfigurationKeyPath { get; set; }

    /// <summary>When set, a Mosquitto <c>passwd</c> and <c>acl</c> file generated from the edge registry are kept up to date in this folder.</summary>
    public string? MosquittoConfigDirectory { get; set; }

    /// <summary>Embedded: listen with TLS on this port (MQTT over TLS, usually 8883) instead of in clear on <see cref="Port"/>; in clear when not set.</summary>
    [Range(1, 65535)]
    public int? TlsPort { get; set; }

    /// <summary>Embedded with <see cref="TlsPort"/>: the server certificate, a PEM file (with <see cref="CertificateKeyPath"/>) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; not set for a PKCS#12 file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 file's password; give it through the environment.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>External: connect to the broker over TLS (its TLS port in <see cref="Port"/>).</summary>
    public bool Tls { get; set; }

    /// <summary>External with <see cref="Tls"/>: a PEM file of the CA(s) the broker's certificate must chain to; the system's trust store when not set.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Telemetry payloads larger than this are rejected; an embedded broker's connection that sends a packet larger than this plus 64 KiB is closed.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Embedded: connections open at once, authenticated or not; more are closed as they arrive.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Embedded: a new connection must finish its TLS handshake and send CONNECT within this time.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Embedded: cloud messages (acknowledgements, configurations) queued for one edge, at most; the oldest go first.</summary>
    [Range(10, 1_000_000)]
    public int MaxQueuedMessagesPerClient { get; set; } = 1000;
}

public enum BrokerMode
{
    /// <summary>An MQTTnet broker inside this process; the PUBACK to the edge follows the commit.</summary>
    Embedded,

    /// <summary>An external MQTT 5 broker (Mosquitto, EMQX…); the silo acknowledges each message after the commit.</summary>
    External,
}

/// <summary>An edge allowed to publish: its MQTT user name is <c>{Site}/{Id}</c>.</summary>
public sealed class EdgeCredentialOptions
{
    public string Site { get; set; } = "";

    public string Id { get; set; } = "";

    /// <summary>A <c>$7$</c> PBKDF2-SHA512 hash, as <c>DomioOps.Cloud hash-password</c> or mosquitto_passwd print it.</summary>
    public string PasswordHash { get; set; } = "";
}
