using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Cluster;

/// <summary>This silo's place in the cluster (section <c>Silo</c>) and the database the cluster shares.</summary>
public sealed class SiloOptions
{
    public const string Section = "Silo";

    /// <summary>Npgsql connection string of the PostgreSQL database holding membership, grain state and reminders.</summary>
    [Required(ErrorMessage = "Silo:ConnectionString is required: the Npgsql connection string of the cluster's PostgreSQL database (e.g. Host=127.0.0.1;Port=5432;Database=domio;Username=postgres)")]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Npgsql connection string of the role that owns the schema and applies the migrations (same database). Silos then
    /// run as <see cref="ConnectionString"/>'s role, which should be <c>domio_app</c> or a member of it: it may only
    /// insert into the audit table (Storage/Sql/0008). Empty means <see cref="ConnectionString"/> migrates too, which is
    /// for development only: that role then owns every table, the audit trail's included.
    /// </summary>
    public string? MigrationConnectionString { get; set; }

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "domio";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on; empty means the host's first private (RFC 1918, RFC 4193) address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// The local address the silo and gateway ports are bound to; empty means the advertised address when it is private
    /// or loopback. Every interface (<c>0.0.0.0</c>, <c>::</c>) only when named here.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>Runs a silo that listens on a non-loopback address without TLS: cluster and gateway traffic then travel in clear text.</summary>
    public bool AllowInsecureClusterTraffic { get; set; }

    /// <summary>
    /// Runs the silo as a Kubernetes pod (<c>UseKubernetesHosting</c>): its silo name is the pod's (<c>POD_NAME</c>), and
    /// silos whose pods are deleted are declared dead at once; clustering stays on PostgreSQL. Off unless set: detecting
    /// Kubernetes from <c>KUBERNETES_SERVICE_HOST</c> would turn it on for every process in a pod, CI runners' tests
    /// included, which have neither the pod's labels nor its role. deploy/kubernetes sets it.
    /// </summary>
    public bool KubernetesHosting { get; set; }

    /// <summary>Mutual TLS between silos and for gateway clients; required when the silo listens on a non-loopback address.</summary>
    public SiloTlsOptions Tls { get; set; } = new();
}
