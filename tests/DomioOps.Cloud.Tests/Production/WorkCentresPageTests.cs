using DomioOps.Cloud.Security;
using DomioOps.Testing;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>The work centres page in Chromium, as a planner uses it: a break outside its shift is refused next to the shift, then the work centre is listed; axe wide and at 360 px.</summary>
public sealed class WorkCentresPageTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task WorkCentresPage_NewCentreWithMachineAndShift_RefusedBreakThenListed()
    {
        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await Browser.SignInAsync(page, userName, password);

        await page.GotoAsync("/production/work-centres");
        await Expect(page.Locator(".workcentres-page[data-live=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("h1")).ToHaveTextAsync("Work centres");
        await Expect(page.Locator("#workcentres-list tr[data-id='saw']")).ToContainTextAsync("saw-01");
        await Expect(page.Locator("nav a[href='/production/work-centres']")).ToHaveTextAsync("Work centres");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#workcentres-new").ClickAsync();
        await page.Locator("#wc-id").FillAsync("press");
        await page.Locator("#wc-name").FillAsync("Press");
        await page.Locator("#wc-kind").SelectOptionAsync("Assembly");
        await page.Locator("#wc-machine-new").FillAsync("press-01");
        await page.Locator("#wc-machine-add").ClickAsync();
        await Expect(page.Locator("#wc-machine-press-01")).ToBeCheckedAsync();
        await page.Locator("#wc-shift-0-break-0-start").FillAsync("16:00");
        await page.Locator("#wc-shift-0-break-0-end").FillAsync("16:30");
        await page.Locator("#wc-save").ClickAsync();

        await Expect(page.Locator("#wc-shift-0 .field-error")).ToHaveTextAsync("Shift 1: the break 16:00–16:30 must lie inside the shift 06:00–14:00.");
        await Expect(page.Locator("#workcentres-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#wc-name")).ToHaveValueAsync("Press");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#wc-shift-0-break-0-start").FillAsync("10:00");
        await page.Locator("#wc-shift-0-break-0-end").FillAsync("10:15");
        await page.Locator("#wc-save").ClickAsync();

        await Expect(page.Locator("#workcentres-message")).ToHaveTextAsync("Work centre Press was saved.");
        var row = page.Locator("#workcentres-list tr[data-id='press']");
        await Expect(row).ToContainTextAsync("press-01");
        await Expect(row).ToContainTextAsync("Assembly");
        await Expect(row).ToContainTextAsync("06:00–14:00");
        await Browser.AssertAccessibleAsync(page);

        await page.SetViewportSizeAsync(360, 800);
        await row.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Edit Press" }).ClickAsync();
        await Expect(page.Locator("#wc-id")).ToBeDisabledAsync();
        await Expect(page.Locator("#wc-name")).ToBeFocusedAsync();
        var wide = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).join(' ')");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The page scrolls sideways at 360 px: " + wide);
        await Browser.AssertAccessibleAsync(page);

        await row.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Delete Press" }).ClickAsync();
        await row.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Delete Press for good" }).ClickAsync();
        await Expect(page.Locator("#workcentres-message")).ToHaveTextAsync("Work centre press was deleted.");
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("#workcentres-editor-heading")).ToHaveCountAsync(0);
    }
}
