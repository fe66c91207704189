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

    /// <summary>The address other silos reach this one on; empty means the host's first non-loopback address.</summary>
    public string? AdvertisedAddress { get; set; }
}
