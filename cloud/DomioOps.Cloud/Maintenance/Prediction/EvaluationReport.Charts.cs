using System.Globalization;
using System.Text;

namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>The charts, drawn as inline SVG in a fixed coordinate system (scaled by the browser through viewBox).</summary>
public static partial class EvaluationReport
{
    private const int MaxCurvePoints = 600;
    private const string Axis = "#52606d";
    private const string Grid = "#e4e7eb";
    private const string Line = "#2563eb";

    private static void PrCurve(Page page, BinaryEvaluation evaluation)
    {
        const double left = 45, top = 10, width = 300, height = 220;
        Svg(page, 360, 270, $"Precision-recall curve, PR-AUC {F(evaluation.PrAuc)}", () =>
        {
            for (var tick = 0; tick <= 4; tick++)
            {
                var v = tick / 4.0;
                page.Void("line", ("x1", N(left)), ("y1", N(top + height - (v * height))), ("x2", N(left + width)), ("y2", N(top + height - (v * height))), ("stroke", Grid));
                page.Void("line", ("x1", N(left + (v * width))), ("y1", N(top)), ("x2", N(left + (v * width))), ("y2", N(top + height)), ("stroke", Grid));
                page.Element("text", F1(v), ("x", N(left - 6)), ("y", N(top + height - (v * height) + 4)), ("text-anchor", "end"));
                page.Element("text", F1(v), ("x", N(left + (v * width))), ("y", N(top + height + 15)), ("text-anchor", "middle"));
            }

            page.Void("rect", ("x", N(left)), ("y", N(top)), ("width", N(width)), ("height", N(height)), ("fill", "none"), ("stroke", Axis));
            page.Element("text", "recall", ("x", N(left + (width / 2))), ("y", N(top + height + 32)), ("text-anchor", "middle"));
            page.Element("text", "precision", ("x", "12"), ("y", N(top + (height / 2))), ("text-anchor", "middle"), ("transform", $"rotate(-90 12 {N(top + (height / 2))})"));
            // Average precision is the area under this step curve: precision holds until recall reaches the next point.
            var points = new StringBuilder();
            var previous = (Recall: 0.0, Precision: 1.0);
            foreach (var (recall, precision) in Thin(evaluation.PrCurve))
            {
                points.Append(CultureInfo.InvariantCulture, $"{N(left + (previous.Recall * width))},{N(top + height - (precision * height))} ");
                points.Append(CultureInfo.InvariantCulture, $"{N(left + (recall * width))},{N(top + height - (precision * height))} ");
                previous = (recall, precision);
            }

            page.Void("polyline", ("points", points.ToString().TrimEnd()), ("fill", "none"), ("stroke", Line), ("stroke-width", "2"));
            page.Open("circle", ("cx", N(left + (evaluation.Recall * width))), ("cy", N(top + height - (evaluation.Precision * height))), ("r", "5"), ("fill", "#dc2626"));
            page.Element("title", $"threshold {F(evaluation.Threshold)}: recall {F(evaluation.Recall)}, precision {F(evaluation.Precision)}");
            page.Close();
        });
    }

    private static void Confusion(Page page, BinaryEvaluation evaluation)
    {
        var c = evaluation.Confusion;
        Svg(page, 330, 230, "Confusion matrix", () =>
        {
            page.Element("text", "predicted failure", ("x", "150"), ("y", "20"), ("text-anchor", "middle"));
            page.Element("text", "predicted healthy", ("x", "270"), ("y", "20"), ("text-anchor", "middle"));
            page.Element("text", "actual failure", ("x", "85"), ("y", "85"), ("text-anchor", "end"));
            page.Element("text", "actual healthy", ("x", "85"), ("y", "185"), ("text-anchor", "end"));
            Cell(page, 90, 30, c.TruePositives, "true positives", "#bbf7d0");
            Cell(page, 210, 30, c.FalseNegatives, "false negatives (missed failures)", "#fed7aa");
            Cell(page, 90, 130, c.FalsePositives, "false positives (false alarms)", "#fed7aa");
            Cell(page, 210, 130, c.TrueNegatives, "true negatives", "#bbf7d0");
        });
    }

    private static void Cell(Page page, int x, int y, long count, string name, string fill)
    {
        page.Open("g");
        page.Element("title", $"{name}: {count.ToString("N0", CultureInfo.InvariantCulture)}");
        page.Void("rect", ("x", N(x)), ("y", N(y)), ("width", "115"), ("height", "95"), ("fill", fill), ("stroke", Axis));
        page.Element("text", count.ToString("N0", CultureInfo.InvariantCulture), ("x", N(x + 57.5)), ("y", N(y + 50)), ("text-anchor", "middle"), ("font-size", "18"));
        page.Element("text", name.Split(' ')[0] + " " + name.Split(' ')[1], ("x", N(x + 57.5)), ("y", N(y + 72)), ("text-anchor", "middle"));
        page.Close();
    }

    private static void LeadTimes(Page page, IReadOnlyList<double> hours)
    {
        const double left = 40, top = 10, width = 300, height = 180;
        var max = Math.Max(1, hours.Max());
        var binWidth = Math.Max(1, Math.Ceiling(max / 24));
        var bins = new int[(int)Math.Floor(max / binWidth) + 1];
        foreach (var h in hours)
        {
            bins[(int)Math.Floor(Math.Max(0, h) / binWidth)]++;
        }

        var tallest = Math.Max(1, bins.Max());
        Svg(page, 360, 230, $"Lead time histogram, {hours.Count} caught failures, median {N(Median(hours))} h", () =>
        {
            page.Void("line", ("x1", N(left)), ("y1", N(top + height)), ("x2", N(left + width)), ("y2", N(top + height)), ("stroke", Axis));
            page.Element("text", tallest.ToString(CultureInfo.InvariantCulture), ("x", N(left - 6)), ("y", N(top + 8)), ("text-anchor", "end"));
            page.Element("text", "0", ("x", N(left - 6)), ("y", N(top + height)), ("text-anchor", "end"));
            var barWidth = width / bins.Length;
            for (var b = 0; b < bins.Length; b++)
            {
                var barHeight = bins[b] * height / tallest;
                page.Open("rect", ("x", N(left + (b * barWidth) + 1)), ("y", N(top + height - barHeight)), ("width", N(Math.Max(1, barWidth - 2))), ("height", N(barHeight)), ("fill", Line));
                page.Element("title", $"{N(b * binWidth)} to {N((b + 1) * binWidth)} h: {bins[b]}");
                page.Close();
            }

            page.Element("text", "0 h", ("x", N(left)), ("y", N(top + height + 15)), ("text-anchor", "start"));
            page.Element("text", $"{N(bins.Length * binWidth)} h", ("x", N(left + width)), ("y", N(top + height + 15)), ("text-anchor", "end"));
            page.Element("text", "hours before the failure of the first warning", ("x", N(left + (width / 2))), ("y", N(top + height + 32)), ("text-anchor", "middle"));
        });
    }

    private static void Importance(Page page, IReadOnlyList<(FeatureDefinition Feature, double Importance)> importance)
    {
        var shown = importance.OrderByDescending(i => i.Importance).Take(15).ToList();
        const double left = 230, barMax = 200, row = 20;
        var largest = Math.Max(1e-12, shown.Max(i => i.Importance));
        Svg(page, 480, (int)((shown.Count * row) + 10), "Feature importance", () =>
        {
            for (var i = 0; i < shown.Count; i++)
            {
                var (feature, share) = shown[i];
                var y = 5 + (i * row);
                var label = feature.Text.Length > 40 ? feature.Text[..39] + "…" : feature.Text;
                page.Open("g");
                page.Element("title", $"{feature.Text} [{feature.Unit}] ({feature.Key}): {share.ToString("P1", CultureInfo.InvariantCulture)}");
                page.Element("text", label, ("x", N(left - 6)), ("y", N(y + 13)), ("text-anchor", "end"));
                page.Void("rect", ("x", N(left)), ("y", N(y + 3)), ("width", N(Math.Max(0.5, share / largest * barMax))), ("height", N(row - 6)), ("fill", Line));
                page.Element("text", share.ToString("P1", CultureInfo.InvariantCulture), ("x", N(left + (share / largest * barMax) + 4)), ("y", N(y + 13)));
                page.Close();
            }
        });
    }

    private static void Svg(Page page, int width, int height, string title, Action draw)
    {
        page.OpenSvg(("viewBox", $"0 0 {width} {height}"), ("width", N(width)), ("height", N(height)), ("role", "img"));
        page.Element("title", title);
        draw();
        page.Close();
    }

    /// <summary>At most <see cref="MaxCurvePoints"/> points, evenly spaced along the list, the last always kept.</summary>
    private static IEnumerable<(double Recall, double Precision)> Thin(IReadOnlyList<(double Recall, double Precision)> curve)
    {
        var step = Math.Max(1, (int)Math.Ceiling(curve.Count / (double)MaxCurvePoints));
        for (var i = 0; i < curve.Count; i += step)
        {
            yield return curve[i];
        }

        if ((curve.Count - 1) % step != 0)
        {
            yield return curve[^1];
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F1(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
