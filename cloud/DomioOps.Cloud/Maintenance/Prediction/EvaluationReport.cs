using System.Globalization;
using System.Xml;

namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// A model's evaluation as one self-contained HTML page: inline CSS and SVG charts, no script, no external file, so it
/// can be stored with the model, mailed or opened offline. Written through an XmlWriter, so the page is well-formed
/// XHTML as well as HTML and every text is escaped; characters XML cannot carry become U+FFFD.
/// </summary>
public static partial class EvaluationReport
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:1100px}" +
        "h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem}" +
        "table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #cbd2d9;padding:.25rem .6rem;text-align:left}" +
        "td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}" +
        ".charts{display:flex;flex-wrap:wrap;gap:2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}" +
        "svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#1f2933}.muted{color:#616e7c}";

    public static void Write(TextWriter writer, EvaluationReportModel model)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(model);
        using var xml = XmlWriter.Create(writer, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = false, CloseOutput = false });
        var page = new Page(xml);
        xml.WriteDocType("html", null, null, null);
        page.Open("html", ("lang", "en"));
        page.Open("head");
        page.Void("meta", ("charset", "utf-8"));
        page.Element("title", model.Title);
        page.Element("style", Style);
        page.Close();
        page.Open("body");
        page.Element("h1", model.Title);
        page.Element("p", model.DataRange, ("class", "muted"));
        if (model.Generated is { } generated)
        {
            page.Element("p", "Generated " + generated, ("class", "muted"));
        }

        MetricsTable(page, model);
        page.Open("div", ("class", "charts"));
        Figure(page, "Precision-recall curve", () => PrCurve(page, model.Evaluation));
        Figure(page, "Confusion matrix", () => Confusion(page, model.Evaluation));
        if (model.LeadTimeHours is { Count: > 0 } leadTimes)
        {
            Figure(page, "Lead time of caught failures (hours)", () => LeadTimes(page, leadTimes));
        }

        if (model.FeatureImportance.Count > 0)
        {
            Figure(page, "Feature importance (share of split gain)", () => Importance(page, model.FeatureImportance));
        }

        page.Close();
        foreach (var table in model.Tables)
        {
            Table(page, table);
        }

        if (model.Notes.Count > 0)
        {
            page.Element("h2", "Notes");
            foreach (var note in model.Notes)
            {
                page.Element("p", note);
            }
        }

        page.Close();
        page.Close();
        xml.Flush();
    }

    /// <summary>The page as a string.</summary>
    public static string Render(EvaluationReportModel model)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, model);
        return writer.ToString();
    }

    private static void MetricsTable(Page page, EvaluationReportModel model)
    {
        var e = model.Evaluation;
        var rows = new List<ReportMetric>
        {
            new("Precision", F(e.Precision), "TP / (TP + FP)"),
            new("Recall", F(e.Recall), "TP / (TP + FN)"),
            new("F1", F(e.F1), "2 · precision · recall / (precision + recall)"),
            new("PR-AUC", F(e.PrAuc), "average precision: Σ (Rₙ − Rₙ₋₁) · Pₙ over the thresholds, highest first"),
            new("Threshold", F(e.Threshold), "a failure is predicted when the probability ≥ threshold"),
            new("Examples", e.Confusion.Total.ToString("N0", CultureInfo.InvariantCulture),
                (e.Confusion.TruePositives + e.Confusion.FalseNegatives).ToString("N0", CultureInfo.InvariantCulture) + " failing"),
        };
        rows.AddRange(model.Metrics);
        page.Element("h2", "Metrics");
        page.Open("table");
        page.Open("tr");
        page.Element("th", "Metric");
        page.Element("th", "Value");
        page.Element("th", "Definition");
        page.Close();
        foreach (var row in rows)
        {
            page.Open("tr");
            page.Element("td", row.Name);
            page.Element("td", row.Value, ("class", "n"));
            page.Element("td", row.Definition ?? "");
            page.Close();
        }

        page.Close();
    }

    private static void Table(Page page, ReportTable table)
    {
        page.Open("table");
        page.Element("caption", table.Caption);
        page.Open("tr");
        foreach (var header in table.Header)
        {
            page.Element("th", header);
        }

        page.Close();
        foreach (var row in table.Rows)
        {
            page.Open("tr");
            foreach (var cell in row)
            {
                page.Element("td", cell);
            }

            page.Close();
        }

        page.Close();
    }

    private static void Figure(Page page, string caption, Action draw)
    {
        page.Open("figure");
        page.Element("figcaption", caption);
        draw();
        page.Close();
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Numbers in SVG attributes: invariant, two decimals.</summary>
    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes elements through an XmlWriter: HTML elements always with an end tag (an HTML parser ignores "/&gt;" on
    /// them), void and SVG elements self-closed.
    /// </summary>
    private sealed class Page(XmlWriter xml)
    {
        public void Open(string name, params (string Name, string Value)[] attributes)
        {
            xml.WriteStartElement(name);
            foreach (var (attribute, value) in attributes)
            {
                xml.WriteAttributeString(attribute, Clean(value));
            }
        }

        /// <summary>An svg element in the SVG namespace; the elements inside it inherit the namespace.</summary>
        public void OpenSvg(params (string Name, string Value)[] attributes)
        {
            xml.WriteStartElement("svg", "http://www.w3.org/2000/svg");
            foreach (var (attribute, value) in attributes)
            {
                xml.WriteAttributeString(attribute, Clean(value));
            }
        }

        public void Close() => xml.WriteFullEndElement();

        public void Void(string name, params (string Name, string Value)[] attributes)
        {
            Open(name, attributes);
            xml.WriteEndElement();
        }

        public void Element(string name, string text, params (string Name, string Value)[] attributes)
        {
            Open(name, attributes);
            xml.WriteString(Clean(text));
            Close();
        }

        /// <summary>Characters XML 1.0 cannot carry (most C0 controls, lone surrogates) replaced by U+FFFD.</summary>
        private static string Clean(string text)
        {
            if (text.All(XmlConvert.IsXmlChar))
            {
                return text;
            }

            var clean = text.ToCharArray();
            for (var i = 0; i < clean.Length; i++)
            {
                if (char.IsHighSurrogate(clean[i]) && i + 1 < clean.Length && char.IsLowSurrogate(clean[i + 1]))
                {
                    i++;
                }
                else if (!XmlConvert.IsXmlChar(clean[i]))
                {
                    clean[i] = '\uFFFD';
                }
            }

            return new string(clean);
        }
    }
}
