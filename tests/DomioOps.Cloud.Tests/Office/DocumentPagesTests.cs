using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// The documents' pages and the template editor in Chromium against the real host (Tesseract reading the scan): a scanned
/// PNG uploaded on a customer's page (a file over the limit refused with the limit named), read in the background, previewed
/// inline and found on /office/documents by a Russian word in another form; a template with an unknown field refused with
/// the field named, a good one previewed in its sandboxed frame and saved; in Russian at 360 px; axe on each page.
/// </summary>
public sealed class DocumentPagesTests(DocumentsCloud cloud) : IClassFixture<DocumentsCloud>, IAsyncLifetime
{
    /// <summary>OCR of a page takes a second or two; a loaded shared machine, far longer.</summary>
    private static readonly TimeSpan TextDeadline = TimeSpan.FromMinutes(3);

    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task ScannedDocument_UploadedOnTheCustomerPage_FoundByAWordOfItsText_AlsoInRussianAt360Pixels()
    {
        var ct = TestContext.Current.CancellationToken;
        var customer = await CustomerAsync("Столярная мастерская «Ясень»", ct);
        var scan = await cloud.ScanAsync("<p style=\"margin:40px 20px\">Эскиз: буфет из ясеня</p><p style=\"margin:20px\">Walnut sideboard sketch</p>");
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await page.GotoAsync($"/office/customers/{customer}");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#documents-empty")).ToHaveTextAsync("No documents yet.");

        // Over the limit (256 KB here): refused at once, the limit named, nothing uploaded.
        await page.Locator("#documents-file").SetInputFilesAsync(new FilePayload { Name = "big.txt", MimeType = "text/plain", Buffer = new byte[300 * 1024] });
        await Expect(page.Locator("#documents-error")).ToContainTextAsync("larger than the limit of 256 KB");
        await page.Locator("#documents-upload").ClickAsync();
        await Expect(page.Locator("#documents-error")).ToHaveTextAsync("Choose a file that is not empty first.");
        await Expect(page.Locator("#documents-list > li")).ToHaveCountAsync(0);

        await page.Locator("#documents-file").SetInputFilesAsync(new FilePayload { Name = "sketch.png", MimeType = "image/png", Buffer = scan });
        await page.Locator("#documents-note").FillAsync("first sketch");
        await page.Locator("#documents-upload").ClickAsync();
        await Expect(page.Locator("#documents-message")).ToHaveTextAsync("Document sketch.png uploaded.");
        var document = page.Locator("#documents-list > li[data-name=\"sketch.png\"]");
        await Expect(document).ToContainTextAsync("first sketch");
        var id = (await document.GetAttributeAsync("id"))!["document-".Length..];
        await Browser.AssertAccessibleAsync(page);

        // The background OCR reads it; the page shows where its text stands when it is opened.
        var version = page.Locator($"#document-{id}-v1");
        var state = await Eventually.ReturnsAsync(async () =>
        {
            await page.ReloadAsync();
            return await version.GetAttributeAsync("data-text-state");
        }, s => s != "pending", TextDeadline, ct);
        Assert.Equal("extracted", state);
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator($"#document-{id}-v1-preview").ClickAsync();
        var image = page.Locator("#document-preview img");
        await Expect(image).ToBeVisibleAsync();
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 1200);

        // Found by "ясень" though the scan says "ясеня", with its fragment marked and a link to its customer.
        await page.GotoAsync("/office/documents");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#documents-q").FillAsync("ясень");
        await page.Locator("#documents-search").ClickAsync();
        var hit = page.Locator($"#hit-{id}");
        await Expect(hit.Locator(".office-item-name")).ToHaveTextAsync("sketch.png");
        await Expect(hit.Locator("mark").First).ToHaveTextAsync("ясеня");
        await Expect(hit.Locator($"a[href=\"/office/customers/{customer}\"]")).ToHaveTextAsync($"Customer {customer}");
        await Browser.AssertAccessibleAsync(page);

        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync($"/office/customers/{customer}");
        await Expect(russian.Locator("#documents-heading")).ToHaveTextAsync("Документы");
        await Expect(russian.Locator($"#document-{id}-upload")).ToHaveTextAsync("Загрузить новую версию");
        var wider = await russian.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), $"A customer's documents scroll sideways at 360 px: {wider}");
        await Browser.AssertAccessibleAsync(russian);
        await russian.GotoAsync("/office/documents?q=sideboard");
        await Expect(russian.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(russian.Locator($"#hit-{id} .office-item-name")).ToHaveTextAsync("sketch.png");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The document search scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
    }

    [Fact]
    public async Task TemplateEditor_UnknownFieldRefusedAndNamed_GoodEditPreviewedAndSaved_AlsoInRussianAt360Pixels()
    {
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await page.GotoAsync("/admin/templates");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Document templates");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#templates-kind").SelectOptionAsync("delivery-note");
        await Expect(page.Locator("#templates-current")).ToHaveTextAsync("The built-in template is in use (no version saved yet).");
        await Expect(page.Locator("#templates-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("Delivery note"));
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#templates-text").FillAsync("<h1>{{ number }}</h1>\n<p>{{ customer.nmae }}</p>");
        await page.Locator("#templates-save").ClickAsync();
        await Expect(page.Locator("#templates-error")).ToHaveTextAsync("Nothing was saved: the template has an error, named below.");
        await Expect(page.Locator("#templates-text-error")).ToContainTextAsync("Unknown field customer.nmae");
        await Expect(page.Locator("#templates-current")).ToHaveAttributeAsync("data-version", "0");
        await Expect(page.Locator("#templates-text")).ToHaveValueAsync("<h1>{{ number }}</h1>\n<p>{{ customer.nmae }}</p>");
        await Browser.AssertAccessibleAsync(page);

        // The preview is checked by its srcdoc: a frame sandboxed without scripts has no script context for Playwright or axe to run in.
        await page.Locator("#templates-text").FillAsync("<h1>Delivery {{ number }}</h1>\n<p>{{ customer.name }}</p>");
        await page.Locator("#templates-preview").ClickAsync();
        var frame = page.Locator("#templates-frame");
        await Expect(frame).ToHaveAttributeAsync("sandbox", "");
        await Expect(frame).ToHaveAttributeAsync("srcdoc", "<h1>Delivery ТН-2026-102</h1>\n<p>Мебельная мастерская «Дуб»</p>");
        await page.Locator("#templates-note").FillAsync("shorter");
        await page.Locator("#templates-save").ClickAsync();
        await Expect(page.Locator("#templates-message")).ToHaveTextAsync("Delivery note: version 1 saved and in use.");
        await Expect(page.Locator("#templates-current")).ToHaveAttributeAsync("data-version", "1");

        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync("/admin/templates");
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Шаблоны документов");
        await Expect(russian.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The template editor scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
        await russian.Locator("#templates-preview").ClickAsync();
        await Expect(russian.Locator("#templates-frame")).ToHaveAttributeAsync("srcdoc", new System.Text.RegularExpressions.Regex("Коммерческое предложение № КП-2026-014"));
    }

    private async Task<long> CustomerAsync(string name, CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        using var office = (await cloud.ApiKeyClientAsync(admin, DomioRoles.Office, ct)).Client;
        using var response = await office.PostAsJsonAsync("api/office/customers", new { kind = "company", name }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
    }
}
