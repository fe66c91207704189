using System.Globalization;
using System.Text.RegularExpressions;

namespace DomioOps.Benchmarks;

/// <summary>
/// What the harnesses read from a host's Prometheus endpoint (<c>/metrics</c>, text format): a counter's value and a
/// histogram's cumulative bucket counts, so that two scrapes bracket a measurement window.
/// </summary>
internal sealed partial class PrometheusScrape(string text)
{
    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, CancellationToken ct) =>
        new(await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct));

    /// <summary>The sum of the series of <paramref name="name"/> (the exporter's name, e.g. <c>domio_edge_samples_published_total</c>), 0 when absent.</summary>
    public double Value(string name) =>
        Sample().Matches(text).Where(m => m.Groups["name"].Value == name).Sum(m => Number(m.Groups["value"].Value));

    /// <summary>
    /// The cumulative bucket counts of histogram <paramref name="name"/> (without <c>_bucket</c>), by upper bound
    /// (<see cref="double.PositiveInfinity"/> for <c>+Inf</c>), summed over its series.
    /// </summary>
    public HistogramBuckets Buckets(string name)
    {
        var counts = new SortedDictionary<double, double>();
        foreach (Match m in Sample().Matches(text))
        {
            if (m.Groups["name"].Value == name + "_bucket" && Bound().Match(m.Groups["labels"].Value) is { Success: true } bound)
            {
                var upper = bound.Groups[1].Value == "+Inf" ? double.PositiveInfinity : Number(bound.Groups[1].Value);
                counts[upper] = counts.GetValueOrDefault(upper) + Number(m.Groups["value"].Value);
            }
        }

        return new HistogramBuckets([.. counts.Keys], [.. counts.Values]);
    }

    private static double Number(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})?\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?:^|,)le=""([^""]+)""")]
    private static partial Regex Bound();
}
