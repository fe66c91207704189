using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>
/// The OEE dashboard and the shift report in Chromium against the real host and the real OEE query, over five days of
/// history (<see cref="OeePagesCloud"/>): a planner chooses what to see, the charts draw (or say there is nothing to
/// draw), the export links carry the same query, the shift report prints per work centre; in Russian and at 360 px too;
/// axe on each.
/// </summary>
public sealed class OeePagesTests(OeePagesCloud cloud) : IClassFixture<OeePagesCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Dashboard_PlannerChoosesMachinesPerShift_RowsChartsAndExportFollowTheChoice()
    {
        var page = await SignedInAsync("en-US", 1280);

        string from = OeePagesCloud.Iso(OeePagesCloud.FirstDay), to = OeePagesCloud.Iso(OeePagesCloud.LastDay);
        await page.GotoAsync($"/oee?from={from}&to={to}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overall equipment effectiveness (OEE)");
        await Expect(page.Locator("nav a[href='/oee']")).ToHaveTextAsync("OEE");
        await Expect(page.Locator("#oee-rows tbody tr[data-key='saw']")).ToHaveCountAsync(5);
        await Expect(page.Locator("#oee-rows thead")).ToContainTextAsync("Work centre");
        // The saw's day rows carry its figures: 1,400 pieces a day in 15 planned hours.
        await Expect(page.Locator("#oee-rows tbody tr[data-key='saw']").First).ToContainTextAsync("1,400");
        await Expect(page.Locator(".oee-chart[data-state='ready']")).ToHaveCountAsync(6);
        await Expect(page.Locator("#oee-downtime")).ToHaveAttributeAsync("data-spec", new System.Text.RegularExpressions.Regex("Unexplained"));
        await Expect(page.Locator("#oee-downtime")).ToHaveAttributeAsync("data-spec", new System.Text.RegularExpressions.Regex("Breakdown"));
        await Expect(page.Locator("#oee-scrap")).ToHaveAttributeAsync("data-spec", new System.Text.RegularExpressions.Regex("Chipped"));
        await Expect(page.Locator("#oee-csv")).ToHaveAttributeAsync("href",
            $"/api/oee/export.csv?scope=work-centre&period=day&from={Utc(OeePagesCloud.FirstDay)}&to={Utc(OeePagesCloud.LastDay.AddDays(1))}");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#oee-scope").SelectOptionAsync("machine");
        await page.Locator("#oee-period").SelectOptionAsync("shift");
        await page.Locator("#oee-apply").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("scope=machine&period=shift"));
        // Two shifts a day over five days, for each of the three machines.
        await Expect(page.Locator("#oee-rows tbody tr")).ToHaveCountAsync(30);
        await Expect(page.Locator("#oee-rows tbody tr[data-key='cnc-01']").First).ToContainTextAsync("%");
        await Expect(page.Locator("#oee-xlsx")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(@"^/api/oee/export\.xlsx\?scope=machine&period=shift&"));
        await Expect(page.Locator(".oee-chart[data-state='ready']")).ToHaveCountAsync(6);

        await page.Locator("#oee-key").SelectOptionAsync("saw-01");
        await page.Locator("#oee-apply").ClickAsync();
        await Expect(page.Locator("#oee-rows tbody tr")).ToHaveCountAsync(10);
        await Expect(page.Locator("#oee-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("&key=saw-01$"));
        await Browser.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Dashboard_WorkCentreWithoutScrap_TheScrapChartSaysSoAndTheOthersDraw()
    {
        var page = await SignedInAsync("en-US", 1280);

        await page.GotoAsync($"/oee?scope=work-centre&period=day&from={OeePagesCloud.Iso(OeePagesCloud.FirstDay)}&to={OeePagesCloud.Iso(OeePagesCloud.LastDay)}&key=cnc");
        await Expect(page.Locator("#oee-rows tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("#oee-rows tbody tr[data-key='cnc']")).ToHaveCountAsync(5);
        // Nobody reported scrap at the CNC router: no chart, a sentence in its place; it never ran: all its downtime is unexplained.
        await Expect(page.Locator("#oee-scrap")).ToHaveCountAsync(0);
        await Expect(page.Locator("#oee-scrap-empty")).ToHaveTextAsync("No figures for this choice.");
        await Expect(page.Locator(".oee-chart[data-state='ready']")).ToHaveCountAsync(5);
        await Expect(page.Locator(".chart-empty")).ToHaveCountAsync(1);
        await Expect(page.Locator("#oee-downtime")).ToHaveAttributeAsync("data-spec", new System.Text.RegularExpressions.Regex("Unexplained"));
        await Expect(page.Locator("#oee-downtime")).Not.ToHaveAttributeAsync("data-spec", new System.Text.RegularExpressions.Regex("Breakdown"));
        await Browser.AssertAccessibleAsync(page);

        // A range before any history and any shift the store knows: still a table of planned, all-down days, never an error.
        await page.GotoAsync($"/oee?scope=machine&period=day&from={OeePagesCloud.Iso(OeePagesCloud.FirstDay.AddDays(-20))}&to={OeePagesCloud.Iso(OeePagesCloud.FirstDay.AddDays(-20))}&key=cnc-01");
        await Expect(page.Locator("#oee-scrap-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#oee-rows tbody tr")).ToHaveCountAsync(1);
        await Browser.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task ShiftReport_AllWorkCentres_ASectionPerCentreAndAPrintButton()
    {
        var page = await SignedInAsync("en-US", 1280);

        await page.GotoAsync("/oee");
        await page.Locator("#oee-shift-report").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Shift report");
        await page.Locator("#shift-date").FillAsync(OeePagesCloud.Iso(OeePagesCloud.LastDay));
        await page.Locator("#shift-time").FillAsync("09:30");
        await page.Locator("#shift-show").ClickAsync();
        await Expect(page.Locator(".shift-report")).ToHaveCountAsync(3);
        var saw = page.Locator(".shift-report[data-work-centre='saw']");
        await Expect(saw.Locator("h2")).ToContainTextAsync("Panel saw");
        await Expect(saw.Locator("tr[data-machine='saw-01']")).ToHaveCountAsync(1);
        // The saw worked that shift: a percentage.
        await Expect(saw.Locator("[data-figure='oee']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d.*%$"));
        await Expect(page.Locator("#shift-print")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // Printed: no navigation, no form; only the reports.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator(".app-header")).ToBeHiddenAsync();
        await Expect(page.Locator("form.no-print")).ToBeHiddenAsync();
        await Expect(saw).ToBeVisibleAsync();
    }

    [Fact]
    public async Task OeePages_RussianAt360Pixels_RussianWordsNoSidewaysScrollAndAccessible()
    {
        var page = await SignedInAsync("ru-RU", 360);

        await page.GotoAsync($"/oee?scope=work-centre&period=week&from={OeePagesCloud.Iso(OeePagesCloud.LastDay.AddDays(-32))}&to={OeePagesCloud.Iso(OeePagesCloud.LastDay)}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Общая эффективность оборудования (OEE)");
        await Expect(page.Locator("#oee-rows thead")).ToContainTextAsync("Рабочий центр");
        await Expect(page.Locator("#oee-rows tbody tr").First).ToContainTextAsync("Неделя");
        await Expect(page.Locator(".oee-chart[data-state='ready']").First).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The dashboard scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync($"/oee/shift-report?date={OeePagesCloud.Iso(OeePagesCloud.LastDay)}&time=15:00");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Сменный отчёт");
        await Expect(page.Locator("#shift-print")).ToHaveTextAsync("Печать");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The shift report scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);
    }

    /// <summary>The plant's midnight starting <paramref name="day"/> in UTC, as the export link carries it.</summary>
    private static string Utc(DateOnly day) =>
        Uri.EscapeDataString(OeePagesCloud.At(day, 0).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<IPage> SignedInAsync(string locale, int width)
    {
        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, locale, width: width, height: 900);
        await Browser.SignInAsync(page, userName, password);
        return page;
    }
}
