using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>The documents meter: versions whose text was taken (by outcome and method) and how long it took.</summary>
internal sealed class DocumentMetrics
{
    public const string MeterName = "DomioOps.Cloud.Office.Documents";

    private readonly Counter<long> _extractions;
    private readonly Histogram<double> _duration;

    public DocumentMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _extractions = meter.CreateCounter<long>("domio.office.documents.text_extractions", "{version}",
            "Document versions whose text extraction finished, by outcome (extracted, failed) and method (text, pdf, ocr)");
        _duration = meter.CreateHistogram<double>("domio.office.documents.text_extraction.duration", "s", "Time to take one version's text");
    }

    public void Extracted(string outcome, string method, TimeSpan elapsed)
    {
        var tags = new TagList { { "outcome", outcome }, { "method", method } };
        _extractions.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
