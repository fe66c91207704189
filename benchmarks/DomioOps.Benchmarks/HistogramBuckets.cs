namespace DomioOps.Benchmarks;

/// <summary>A histogram's cumulative counts by upper bound, as Prometheus exposes them.</summary>
internal sealed record HistogramBuckets(double[] Upper, double[] Cumulative)
{
    public double Count => Cumulative.Length == 0 ? 0 : Cumulative[^1];

    /// <summary>What was recorded between <paramref name="earlier"/> and this scrape (the same bounds).</summary>
    public HistogramBuckets Since(HistogramBuckets earlier) =>
        this with { Cumulative = [.. Cumulative.Select((c, i) => c - (earlier.Upper.Length == Upper.Length ? earlier.Cumulative[i] : 0))] };

    /// <summary>
    /// The <paramref name="p"/> quantile, interpolated linearly within the bucket it falls in (as Prometheus's
    /// <c>histogram_quantile</c> does), with that bucket's bounds; NaN when nothing was recorded or it falls in <c>+Inf</c>.
    /// </summary>
    public (double Value, double Lower, double Upper) Percentile(double p)
    {
        var target = p * Count;
        for (var i = 0; i < Upper.Length; i++)
        {
            if (Count > 0 && Cumulative[i] >= target)
            {
                var lower = i == 0 ? 0 : Upper[i - 1];
                var below = i == 0 ? 0 : Cumulative[i - 1];
                var within = Cumulative[i] - below;
                var value = double.IsPositiveInfinity(Upper[i]) ? double.NaN : lower + ((Upper[i] - lower) * (within > 0 ? (target - below) / within : 1));
                return (value, lower, Upper[i]);
            }
        }

        return (double.NaN, double.NaN, double.NaN);
    }
}
