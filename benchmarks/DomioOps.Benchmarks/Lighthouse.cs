using System.Globalization;
using System.Text.Json;

using DomioOps.Testing;

namespace DomioOps.Benchmarks;

/// <summary>Lighthouse 12.2.3 (pinned in benchmarks/lighthouse) on Debian's Chromium: one page, its three scores and its timings on one line.</summary>
internal static class Lighthouse
{
    /// <summary>Audits <paramref name="url"/> with the mobile preset (or the desktop one), sending <paramref name="cookie"/> when given.</summary>
    public static async Task RunAsync(string name, Uri url, bool desktop, string? cookie, CancellationToken ct)
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "benchmarks", "lighthouse");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            await PeerProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5), ct);
        }

        var report = Path.Combine(Path.GetTempPath(), $"lighthouse-{Guid.NewGuid():N}.json");
        var arguments = new List<string>
        {
            url.ToString(),
            "--output=json", $"--output-path={report}", "--quiet",
            "--only-categories=performance,accessibility,best-practices",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        };
        if (desktop)
        {
            arguments.Add("--preset=desktop");
        }

        if (cookie is not null)
        {
            arguments.Add($"--extra-headers={JsonSerializer.Serialize(new Dictionary<string, string> { ["Cookie"] = cookie })}");
        }

        // Lighthouse finds its browser through CHROME_PATH: Debian's Chromium, as the browser tests use.
        Environment.SetEnvironmentVariable("CHROME_PATH", "/usr/bin/chromium");
        await PeerProcess.RunAsync(Path.Combine(folder, "node_modules", ".bin", "lighthouse"), arguments, folder, TimeSpan.FromMinutes(3), ct);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, ct));
        var categories = json.RootElement.GetProperty("categories");
        string Score(string category) => (categories.GetProperty(category).GetProperty("score").GetDouble() * 100).ToString("F0", CultureInfo.InvariantCulture);
        var audit = json.RootElement.GetProperty("audits");
        string Metric(string id) => audit.GetProperty(id).GetProperty("displayValue").GetString() ?? "";
        Console.WriteLine($"lighthouse {name} ({(desktop ? "desktop" : "mobile")}): performance {Score("performance")}, accessibility {Score("accessibility")}, best practices {Score("best-practices")}; FCP {Metric("first-contentful-paint")}, LCP {Metric("largest-contentful-paint")}, TBT {Metric("total-blocking-time")}, CLS {Metric("cumulative-layout-shift")}");
        // What cost points in the two categories scored out of 100 without timings, so a score below 100 says why.
        foreach (var category in new[] { "accessibility", "best-practices" })
        {
            var lost = categories.GetProperty(category).GetProperty("auditRefs").EnumerateArray()
                .Where(r => r.GetProperty("weight").GetDouble() > 0)
                .Select(r => r.GetProperty("id").GetString()!)
                .Where(id => audit.GetProperty(id).GetProperty("score") is { ValueKind: JsonValueKind.Number } score && score.GetDouble() < 1)
                .ToList();
            foreach (var id in lost)
            {
                var items = audit.GetProperty(id).TryGetProperty("details", out var details) && details.TryGetProperty("items", out var list)
                    ? list.EnumerateArray().Take(3).Select(i => i.TryGetProperty("description", out var d) ? $"{d} {(i.TryGetProperty("sourceLocation", out var at) ? at.GetProperty("url").ToString() : "")}" : i.ToString())
                    : [];
                Console.WriteLine($"  {category} lost on {id}: {string.Join(" | ", items)}");
            }
        }

        File.Delete(report);
    }
}
