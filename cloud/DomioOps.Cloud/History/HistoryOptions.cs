using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.History;

/// <summary>Telemetry history in PostgreSQL (section <c>History</c>): retention, partitions ahead, query limits, and the optional line-protocol sink.</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Npgsql connection string of the history database; empty means the cluster's (<c>Silo:ConnectionString</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Raw samples are kept for this many whole UTC days; older day partitions are dropped, and a sample older than that is not stored.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Per-minute rollups are kept for this many whole UTC days.</summary>
    [Range(1, 3650)]
    public int RollupRetentionDays { get; set; } = 400;

    /// <summary>Day partitions created ahead of today, so midnight never waits on DDL.</summary>
    [Range(0, 60)]
    public int PartitionsAhead { get; set; } = 2;

    /// <summary>How often partitions are created ahead and expired ones dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The largest <c>points</c> a history query may ask for.</summary>
    [Range(1, 100_000)]
    public int MaxPoints { get; set; } = 10_000;

    /// <summary>The longest time range a history query may span.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxQueryRange { get; set; } = TimeSpan.FromDays(3650);

    public LineProtocolOptions LineProtocol { get; set; } = new();

    /// <summary>The first UTC day still kept at <paramref name="now"/> for a retention of <paramref name="days"/> days.</summary>
    internal static DateOnly OldestKeptDay(DateTimeOffset now, int days) => DateOnly.FromDateTime(now.UtcDateTime.AddDays(-days));
}

/// <summary>
/// The optional copy of every committed sample to a time-series database (section <c>History:LineProtocol</c>):
/// InfluxDB line protocol over HTTP, batched, retried, with a bounded buffer that drops (and counts) rather
/// than slow ingestion down.
/// </summary>
public sealed class LineProtocolOptions
{
    public bool Enabled { get; set; }

    /// <summary>The full write URL: InfluxDB 1.x <c>http://host:8086/write?db=domio</c>, VictoriaMetrics <c>http://host:8428/write</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>Optional <c>Authorization</c> header value (e.g. <c>Token …</c> for InfluxDB 2.x/3.x).</summary>
    public string? Authorization { get; set; }

    [Required]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    public string Measurement { get; set; } = "telemetry";

    /// <summary>Points per HTTP request at most.</summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>Samples waiting to be sent at most; beyond, new samples are dropped and counted.</summary>
    [Range(1, 100_000_000)]
    public int BufferCapacity { get; set; } = 500_000;

    /// <summary>Attempts per batch before it is dropped.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
