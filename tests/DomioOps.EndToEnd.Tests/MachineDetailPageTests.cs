using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// A machine's page in a real browser (Debian's Chromium) against the running slice: the administrator signs in with the
/// authenticator, opens the simulated saw, sees its values live, draws the piece counter's trend of the last hour (the
/// points drawn are the history API's for the same query) and its state timeline; axe finds nothing serious.
/// </summary>
public sealed partial class MachineDetailPageTests(MachineDetailPageTests.SliceAndBrowser fixture) : IClassFixture<MachineDetailPageTests.SliceAndBrowser>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly LocatorAssertionsToHaveAttributeOptions Patiently = new() { Timeout = 30_000 };

    [Fact]
    public async Task MachineDetail_AdminOpensTheSaw_LiveValuesTrendEqualToTheHistoryApiAndTimeline()
    {
        var ct = TestContext.Current.CancellationToken;
        var slice = fixture.Slice;
        await slice.WaitForMachineAsync(m => m.PieceCount >= 3, Bound, ct);
        var page = await fixture.Browser.NewPageAsync(slice.Cloud!.BaseAddress);
        var console = new List<string>();
        page.Console += (_, message) => console.Add($"{message.Type}: {message.Text}");
        // The slice set up the administrator's authenticator with the code of its step: a code is taken once.
        await WaitForTheNextCodeAsync(fixture.Started, ct);
        await Browser.SignInAsync(page, "admin", slice.AdminPassword, slice.AdminTotpKey);

        await page.GotoAsync($"/machines/{Slice.Machine}");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Slice.Machine);

        // Live: the piece counter rises on the page without a reload.
        var pieces = page.Locator("[data-signal=\"PieceCounter\"] dd");
        await Assertions.Expect(pieces).ToHaveTextAsync(PiecesText());
        var first = Pieces(await pieces.InnerTextAsync());
        try
        {
            await page.WaitForFunctionAsync(
                "([selector, first]) => Number((document.querySelector(selector)?.textContent ?? '').replace(/[^0-9]/g, '')) > first",
                new object[] { "[data-signal=\"PieceCounter\"] dd", first },
                new PageWaitForFunctionOptions { Timeout = 60_000 });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the page still shows {await pieces.InnerTextAsync()} pieces, the API {await slice.GetMachineAsync(ct)}; the browser said:\n{string.Join("\n", console)}\n{slice.Logs()}", e);
        }

        // The state timeline of the shift: a strip, and the saw's working time in the table.
        await Assertions.Expect(page.Locator("#timeline-shift .state-strip .strip-segment").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#timeline-shift tr[data-state=\"working\"]")).ToBeVisibleAsync();

        // No more samples from here on: the history the chart reads and the one this test reads are the same.
        await slice.Edge!.StopAsync();
        var chart = page.Locator("#trend");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", Patiently);
        var before = await chart.GetAttributeAsync("data-query");
        await page.Locator("#trend-signal").SelectOptionAsync("PieceCounter");
        await page.Locator("#range-1h").ClickAsync();
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-query", before!, new() { Timeout = 30_000 });
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", Patiently);

        var (hourQuery, hour, _) = await AssertDrawnAsync(chart, slice, ct);
        Assert.Equal("PieceCounter", hour["signal"]);
        Assert.Equal(TimeSpan.FromHours(1), Time(hour["to"]) - Time(hour["from"]));

        // Zoom: a range dragged across the chart is fetched again, so its points are as fine as the history has.
        var plot = await page.Locator("#trend .u-over").BoundingBoxAsync();
        await page.Mouse.MoveAsync(plot!.X + (plot.Width * 0.5f), plot.Y + (plot.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + plot.Width - 1, plot.Y + (plot.Height / 2), new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-query", hourQuery, new() { Timeout = 30_000 });
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", Patiently);
        var (zoomedQuery, zoomed, _) = await AssertDrawnAsync(chart, slice, ct);
        Assert.InRange(Time(zoomed["to"]) - Time(zoomed["from"]), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(35));

        // Pan: earlier by the width of the range (before the slice started: no points).
        await page.Locator("#trend-earlier").ClickAsync();
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-query", zoomedQuery, new() { Timeout = 30_000 });
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", Patiently);
        var (earlierQuery, earlier, _) = await AssertDrawnAsync(chart, slice, ct, expectPoints: false);
        Assert.Equal(Time(zoomed["from"]), Time(earlier["to"]));

        // Back to the hour for the table.
        await page.Locator("#range-1h").ClickAsync();
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-query", earlierQuery, new() { Timeout = 30_000 });
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", Patiently);
        var (_, _, points) = await AssertDrawnAsync(chart, slice, ct);

        // The points as a table too (the chart's text alternative), and nothing serious for axe with it open.
        await page.Locator("#trend details summary").ClickAsync();
        await Assertions.Expect(page.Locator("#trend details tbody tr")).ToHaveCountAsync(points);
        await Browser.AssertAccessibleAsync(page);

        // In Russian on a phone's width: the same page, as accessible.
        await page.SetViewportSizeAsync(360, 800);
        await page.Locator("#language").ClickAsync();
        await Assertions.Expect(page.Locator("#trend-heading")).ToHaveTextAsync("Тренд");
        try
        {
            // The switch reloads the page: the chart waits for a new circuit, which on a loaded machine takes a while.
            await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready", new() { Timeout = 60_000 });
        }
        catch (PlaywrightException e)
        {
            throw new TimeoutException($"after the switch to Russian the chart is '{await chart.GetAttributeAsync("data-state")}' " +
                $"({await chart.InnerTextAsync()}); the browser said:\n{string.Join("\n", console)}\n{slice.Logs()}", e);
        }

        await Browser.AssertAccessibleAsync(page);
    }

    /// <summary>
    /// The arrays the chart handed to uPlot are the history API's points for the chart's query (fetched here with the
    /// administrator's session): times, and the value (raw) or min, average and max (buckets). Returns the query (as sent
    /// and parsed) and the number of points.
    /// </summary>
    private static async Task<(string Raw, System.Collections.Specialized.NameValueCollection Query, int Points)> AssertDrawnAsync(ILocator chart, Slice slice, CancellationToken ct, bool expectPoints = true)
    {
        var query = (await chart.GetAttributeAsync("data-query"))!;
        var drawn = await chart.EvaluateAsync<JsonElement>("element => element.trendData");
        Assert.Equal(query, drawn.GetProperty("query").GetString());
        var answer = await slice.CloudHttp.GetFromJsonAsync<JsonElement>($"api/machines/{Slice.Machine}/history?{query}", ct);
        AssertDrawn(answer, drawn, expectPoints);
        return (query, System.Web.HttpUtility.ParseQueryString(query), answer.GetProperty("points").GetArrayLength());
    }

    private static void AssertDrawn(JsonElement answer, JsonElement drawn, bool expectPoints)
    {
        var resolution = answer.GetProperty("resolution").GetString();
        Assert.Equal(resolution, drawn.GetProperty("resolution").GetString());
        var points = answer.GetProperty("points").EnumerateArray().ToList();
        var data = drawn.GetProperty("data").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetDouble()).ToList()).ToList();
        Assert.Equal(expectPoints, points.Count > 0);
        Assert.Equal(resolution == "raw" ? 2 : 4, data.Count);
        Assert.All(data, column => Assert.Equal(points.Count, column.Count));
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            Assert.Equal(DateTimeOffset.Parse(p.GetProperty("time").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), (long)Math.Round(data[0][i] * 1000));
            double[] expected = resolution == "raw"
                ? [p.GetProperty("avg").GetDouble()]
                : [p.GetProperty("min").GetDouble(), p.GetProperty("avg").GetDouble(), p.GetProperty("max").GetDouble()];
            Assert.Equal(expected, data.Skip(1).Select(column => column[i]));
        }
    }

    /// <summary>Waits (with a deadline) until the authenticator shows a code of a later 30 s step than at <paramref name="since"/>.</summary>
    private static async Task WaitForTheNextCodeAsync(DateTimeOffset since, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(40);
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 <= since.ToUnixTimeSeconds() / 30)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the clock did not reach the next TOTP step");
            await Task.Delay(250, ct);
        }
    }

    private static DateTimeOffset Time(string? iso) => DateTimeOffset.Parse(iso!, CultureInfo.InvariantCulture);

    private static long Pieces(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal).Replace(" pcs", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex("^[0-9,]+ pcs$")]
    private static partial Regex PiecesText();

    /// <summary>One slice (cloud, simulators, edge) and one browser for the class.</summary>
    public sealed class SliceAndBrowser : IAsyncLifetime
    {
        internal Slice Slice { get; private set; } = null!;

        public Browser Browser { get; private set; } = null!;

        /// <summary>When the slice had started, its administrator's authenticator set up.</summary>
        public DateTimeOffset Started { get; private set; }

        public async ValueTask InitializeAsync()
        {
            Slice = await Slice.StartAsync(TestContext.Current.CancellationToken);
            Started = DateTimeOffset.UtcNow;
            Browser = await Browser.LaunchAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (Browser is not null)
            {
                await Browser.DisposeAsync();
            }

            if (Slice is not null)
            {
                await Slice.DisposeAsync();
            }
        }
    }
}
