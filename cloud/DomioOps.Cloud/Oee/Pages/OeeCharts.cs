using System.Globalization;
using System.Text.Json;

namespace DomioOps.Cloud.Oee.Pages;

/// <summary>(Public: a component parameter.) One series of a chart: a name and a value per category (null where there is none, drawn as a gap).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);

/// <summary>
/// What Frontend/src/oee-charts.js draws (as JSON in the chart's <c>data-spec</c>): categories, series, whether the values
/// are shares (0..1, shown as percentages) or amounts in <see cref="Unit"/>, and a Pareto's cumulative line's name.
/// </summary>
public sealed record ChartSpec(IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series, bool Percent, string? Unit = null, string? Cumulative = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A value as the chart's table shows it, in the current culture; "—" for none.</summary>
    public string Format(double? value) =>
        value is not { } v ? "—"
        : Percent ? v.ToString("P1", CultureInfo.CurrentCulture)
        : Unit is null ? v.ToString("N1", CultureInfo.CurrentCulture)
        : v.ToString("N1", CultureInfo.CurrentCulture) + " " + Unit;
}

/// <summary>The dashboard's sums: figures of several rows added up as time elements, so that the ratios stay ISO 22400's.</summary>
internal static class OeeSums
{
    public static OeeFigures Sum(IEnumerable<OeeFigures> figures) =>
        figures.Aggregate(new OeeFigures(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0, 0, TimeSpan.Zero), (a, b) => new OeeFigures(
            a.PlannedTime + b.PlannedTime, a.RunTime + b.RunTime, a.DelayTime + b.DelayTime, a.DownTime + b.DownTime,
            a.Pieces + b.Pieces, a.Scrap + b.Scrap, a.IdealTime + b.IdealTime));

    /// <summary>A ratio as a percentage in the current culture, "—" when it has no denominator.</summary>
    public static string Percent(double? ratio) => ratio is { } r ? r.ToString("P1", CultureInfo.CurrentCulture) : "—";

    /// <summary>A time in hours with one decimal, in the current culture.</summary>
    public static string Hours(TimeSpan time) => time.TotalHours.ToString("N1", CultureInfo.CurrentCulture);
}
