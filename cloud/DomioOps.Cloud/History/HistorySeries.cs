using DomioOps.Models.Wire;

namespace DomioOps.Cloud.History;

/// <summary>
/// One signal of one machine over [<see cref="From"/>, <see cref="To"/>), in at most the points asked for.
/// <see cref="Resolution"/> is <c>raw</c> (each point one sample), <c>minute</c> (buckets of whole minutes from
/// the per-minute rollups) or <c>bucket</c> (buckets of <see cref="BucketSeconds"/> aggregated from raw samples).
/// </summary>
public sealed record HistorySeries(
    string Machine,
    Signal Signal,
    DateTimeOffset From,
    DateTimeOffset To,
    string Resolution,
    double? BucketSeconds,
    IReadOnlyList<HistoryPoint> Points);

/// <summary>A sample (<c>Count</c> = 1, all values equal) or the aggregate of a bucket starting at <see cref="Time"/>.</summary>
public sealed record HistoryPoint(DateTimeOffset Time, double Min, double Max, double Avg, long Count, double Last);
