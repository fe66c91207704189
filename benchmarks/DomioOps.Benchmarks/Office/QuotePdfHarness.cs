using System.Diagnostics;
using System.Globalization;

using DomioOps.Cloud.Office.Quotes;

namespace DomioOps.Benchmarks.Office;

/// <summary>
/// The PDF of a quote of <c>lines</c> lines (default 100, three A4 pages) in Russian with the embedded DejaVu Sans, made
/// <c>runs</c> times (default 200) after 10 warm-up runs: the time of each (p50, p90, p99) and the PDF's size.
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- quote-pdf [lines] [runs]</c>
/// </summary>
internal static class QuotePdfHarness
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var lines = Enumerable.Range(1, count).Select(i => new QuoteLine(i % 2 == 0 ? "panel" : "hardware",
            i % 2 == 0 ? $"ЛДСП Egger H1145 ST10 Дуб Бардолино 16 мм, деталь {i}" : $"Blum 71B3550 петля CLIP top, позиция {i}", null, null,
            i * 1.25m, i % 2 == 0 ? "m2" : "pcs", 1480m, i % 10, QuotePricing.LineAmount(i * 1.25m, 1480m, i % 10))).ToList();
        var now = DateTimeOffset.UtcNow;
        var revision = new QuoteRevision(1, lines, 5m, 20m, QuotePricing.Totals(lines, 5m, 20m), now, null);
        var quote = new Quote(1, 1, "Кухня на Лесной", 1, "Мебельный салон «Берёза»", 1, "Розница", "draft", revision, [1], null, 0, null, [], now, "bench", now, 1);
        var zone = TimeZoneInfo.Utc;
        var size = 0;
        for (var i = 0; i < 10; i++)
        {
            size = QuotePdf.Render(quote, revision, "Москва, ул. Лесная, 5", "ru", zone).Length;
        }

        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            QuotePdf.Render(quote, revision, "Москва, ул. Лесная, 5", "ru", zone);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quote-pdf: {count} lines, {size / 1024.0:F0} KiB a PDF (font embedded)"));
        LatencyReport.Print("quote-pdf render", times);
        return 0;
    }
}
