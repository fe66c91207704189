using System.Xml;
using System.Xml.Linq;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Tests.Maintenance.Prediction;

public sealed class EvaluationReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string Hostile = "<script>alert('x')</script> & \"quoted\" \u0001";

    private static EvaluationReportModel Model(IReadOnlyList<double>? leadTimes = null) =>
        new("Spindle model " + Hostile, "2026-01-01 to 2026-06-30 " + Hostile,
            BinaryEvaluation.Compute([(true, 0.9f), (false, 0.8f), (true, 0.7f), (false, 0.6f), (true, 0.5f), (false, 0.4f)], 0.5f))
        {
            Metrics = [new ReportMetric("Macro-F1 " + Hostile, "0.612", "mean of per-class F1 " + Hostile)],
            LeadTimeHours = leadTimes,
            FeatureImportance = [(new FeatureDefinition("vib", "spindle vibration " + Hostile, "mm/s"), 0.7), (new FeatureDefinition("temp", "temperature", "°C"), 0.3)],
            Tables = [new ReportTable("Per class " + Hostile, ["class", "F1"], [["TWF " + Hostile, "0.25"], ["HDF", "0.9"]])],
            Notes = ["Labelling " + Hostile],
            Generated = "2026-12-05 21:00 UTC",
        };

    private static XDocument Parse(string html) =>
        XDocument.Load(XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));

    [Fact]
    public void Write_FullModel_IsWellFormedWithEveryChart()
    {
        var html = EvaluationReport.Render(Model(leadTimes: [0.5, 2, 2.5, 7, 30]));

        Assert.StartsWith("<!DOCTYPE html", html, StringComparison.Ordinal);
        var page = Parse(html);
        Assert.Equal("html", page.Root!.Name.LocalName);
        Assert.Equal(4, page.Descendants(Svg + "svg").Count());
        Assert.Equal(["Precision-recall curve", "Confusion matrix", "Lead time of caught failures (hours)", "Feature importance (share of split gain)"],
            page.Descendants("figcaption").Select(c => c.Value));
        // Standard metrics (6) + one extra row + the header row; the extra table: caption, header and two rows.
        Assert.Equal(8, page.Descendants("table").First().Elements("tr").Count());
        Assert.Equal(3, page.Descendants("table").Last().Elements("tr").Count());
        Assert.Contains(page.Descendants("td"), td => td.Value == "0.750"); // F1 3/4
        Assert.Contains(page.Descendants(Svg + "text"), t => t.Value == "3"); // true positives
    }

    [Fact]
    public void Write_HostileText_EscapedNeverMarkup()
    {
        var html = EvaluationReport.Render(Model());
        var page = Parse(html);

        Assert.DoesNotContain(page.Descendants(), e => e.Name.LocalName == "script");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"quoted\" \uFFFD", html, StringComparison.Ordinal);
        Assert.Equal("Spindle model <script>alert('x')</script> & \"quoted\" \uFFFD", page.Descendants("h1").Single().Value);
    }

    [Fact]
    public void Write_NoLeadTimes_NoHistogram()
    {
        var page = Parse(EvaluationReport.Render(Model()));

        Assert.Equal(3, page.Descendants(Svg + "svg").Count());
        Assert.DoesNotContain(page.Descendants("figcaption"), c => c.Value.StartsWith("Lead time", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_SelfContained_NoScriptNoExternalReference()
    {
        var page = Parse(EvaluationReport.Render(Model(leadTimes: [1, 2])));

        Assert.DoesNotContain(page.Descendants(), e => e.Attributes().Any(a => a.Name.LocalName is "src" or "href"));
        Assert.Single(page.Descendants("style"));
    }

    [Fact]
    public void Write_ManyCurvePoints_PolylineThinned()
    {
        var scored = Enumerable.Range(0, 5000).Select(i => (i % 7 == 0, i / 5000f)).ToList();
        var model = new EvaluationReportModel("Thin", "synthetic", BinaryEvaluation.Compute(scored, 0.5f));

        var polyline = Parse(EvaluationReport.Render(model)).Descendants(Svg + "polyline").Single();

        // Two vertices per drawn point (a step), at most 600 points plus the last one.
        Assert.InRange(polyline.Attribute("points")!.Value.Split(' ').Length, 2, 1202);
    }
}
