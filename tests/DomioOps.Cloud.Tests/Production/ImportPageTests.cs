using System.Text;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>The import page and the labels page in Chromium, as a planner uses them: a bad file, then a good one; axe on both.</summary>
public sealed class ImportPageTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task ImportPage_BadFileThenGoodFile_ErrorsByRowAndColumnThenOrderAndLabels()
    {
        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await Browser.SignInAsync(page, userName, password);

        await page.GotoAsync("/production/orders/import");
        await Expect(page.Locator(".import-page[data-live=true]")).ToBeVisibleAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Import a cut list");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#import-number").FillAsync("PAGE-1");
        await page.Locator("#import-customer").FillAsync("Page kitchens");
        await page.Locator("#import-due").FillAsync("2026-12-31");
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(ImportApiTests.BadCutList) });
        await page.Locator("#import-submit").ClickAsync();

        var errors = page.Locator("#import-file-errors");
        await Expect(errors.Locator("tbody tr")).ToHaveCountAsync(4);
        await Expect(errors.Locator("tr[data-row='2'][data-column='Length']")).ToContainTextAsync("is not a number");
        await Expect(errors.Locator("tr[data-row='5'][data-column='Grain direction']")).ToBeVisibleAsync();
        await Expect(page.Locator("#import-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#import-number")).ToHaveValueAsync("PAGE-1");
        await Expect(page.Locator("#import-customer")).ToHaveValueAsync("Page kitchens");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "kitchen.csv", MimeType = "text/csv", Buffer = ImportApiTests.Sample("kitchen-cut-list.csv") });
        await page.Locator("#import-submit").ClickAsync();
        await Expect(page.Locator("#import-success")).ToContainTextAsync("Order PAGE-1 was created with 12 parts.");
        await Expect(page.Locator("#import-file-errors")).ToHaveCountAsync(0);
        await Expect(page.Locator("#import-order-link")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(@"^/production/orders/\d+$"));

        await page.Locator("#import-labels-link").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Part labels: order PAGE-1");
        // 4+2+2+2+2+4+4+2+4+2+1+2 pieces in the kitchen sample.
        await Expect(page.Locator("article.part-label")).ToHaveCountAsync(31);
        await Browser.AssertAccessibleAsync(page);
    }
}
