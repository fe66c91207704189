using System.Text;

using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Office.Quotes;

/// <summary>
/// The office's way from a customer to production, in Chromium against the real host: a customer, a project, a quote
/// priced from a cut list uploaded through the page, its PDF downloaded and read, the quote sent and accepted, and the
/// production order's page showing the cut list's parts; the project's page in Russian at 360 px; axe on each page.
/// </summary>
public sealed class QuotePagesTests(QuotesCloud cloud) : IClassFixture<QuotesCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task CustomerToProduction_QuoteFromCutListPdfAndAccept_ProductionOrderHasTheParts()
    {
        var ct = TestContext.Current.CancellationToken;
        var customer = $"Кухни «Ясень» {Guid.NewGuid():N}"[..24];
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await page.GotoAsync("/office/customers");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#new-name").FillAsync(customer);
        await page.Locator("#new-save").ClickAsync();
        await Expect(page.Locator("h1#customer-name")).ToHaveTextAsync(customer);
        var customerId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        await page.GotoAsync($"/office/projects?customerId={customerId}");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Browser.AssertAccessibleAsync(page);
        await page.Locator("#project-title").FillAsync("Кухня на Садовой");
        await page.Locator("#project-address").FillAsync("Казань, ул. Садовая, 7");
        await page.Locator("#project-create").ClickAsync();
        await Expect(page.Locator("h1#project-heading")).ToHaveTextAsync("Кухня на Садовой");
        var projectUrl = page.Url;
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#project-new-quote").ClickAsync();
        await Expect(page.Locator("h1#quote-heading")).ToContainTextAsync("revision 1");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);

        await page.Locator("#quote-cutlist").SetInputFilesAsync(new FilePayload
        {
            Name = "kitchen.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(QuotesApiTests.SmallCutList),
        });
        // The same hand-computed figures as QuotesApiTests.CutList_SmallList_PricedAsComputedByHand.
        await Expect(page.Locator("#quote-total")).ToHaveAttributeAsync("data-total", "9339.05");
        await Expect(page.Locator("#quote-lines .quote-line")).ToHaveCountAsync(8);
        await Expect(page.Locator("#quote-cutlist-file")).ToContainTextAsync("kitchen.csv");
        await Browser.AssertAccessibleAsync(page);

        var pdfLink = await page.Locator("#quote-pdf-en").GetAttributeAsync("href");
        var pdf = await page.Context.APIRequest.GetAsync(pdfLink!);
        Assert.Equal(200, pdf.Status);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        var bytes = await pdf.BodyAsync();
        Assert.Equal("%PDF", Encoding.ASCII.GetString(bytes, 0, 4));
        var text = QuotesApiTests.Flat(await QuotesApiTests.PdfTextAsync(bytes, ct));
        Assert.Contains("9,339.05", text, StringComparison.Ordinal);
        Assert.Contains(customer, text, StringComparison.Ordinal);

        await page.Locator("#quote-send").ClickAsync();
        await Expect(page.Locator("#quote-status")).ToHaveAttributeAsync("data-status", "sent");
        await page.Locator("#quote-accept").ClickAsync();
        await Expect(page.Locator("#quote-status")).ToHaveAttributeAsync("data-status", "accepted");
        await Expect(page.Locator("#quote-production a")).ToHaveCountAsync(1);

        // The order confirmation from the admin's template, kept with the project's documents.
        await page.Locator("#quote-document-kind").SelectOptionAsync("order-confirmation");
        await page.Locator("#quote-document-lang").SelectOptionAsync("en");
        await page.Locator("#quote-document-generate").ClickAsync();
        await Expect(page.Locator("#quote-document-generated a")).ToContainTextAsync("Order confirmation");
        var confirmation = await page.Context.APIRequest.GetAsync((await page.Locator("#quote-document-generated a").GetAttributeAsync("href"))!);
        Assert.Contains(customer.Split(" ")[^1], await confirmation.TextAsync(), StringComparison.Ordinal);
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#quote-production a").ClickAsync();
        await page.WaitForURLAsync("**/production/orders/*");
        foreach (var part in new[] { "Боковина", "Полка", "Фасад" })
        {
            await Expect(page.Locator("body")).ToContainTextAsync(part);
        }

        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync(projectUrl);
        await Expect(russian.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(russian.Locator("#project-production-heading")).ToHaveTextAsync("Производство");
        await Expect(russian.Locator("#project-production")).ToContainTextAsync("Готово деталей: 0 из 3");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The project's page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
    }
}
