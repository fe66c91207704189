using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// The customer pages in Chromium against the real host: a customer created from the list (a mistyped INN is named next
/// to its field and what was typed stays), a contact added on its page, the customer found by a word's other form and
/// by the header's search box; in
/// Russian at 360 px without sideways scrolling; axe on each page.
/// </summary>
public sealed class CustomerPagesTests(OfficeCloud cloud) : IClassFixture<OfficeCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Customer_CreatedWithAContactThenFoundBySearch_AlsoInRussianAt360Pixels()
    {
        var marker = "zq" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + (c % 26))))[..10];
        var name = "Мебельная мастерская «Дуб»";
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await page.GotoAsync("/office/customers");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Customers");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Browser.AssertAccessibleAsync(page);

        // A mistyped INN: named next to its field, nothing saved, what was typed still there.
        await page.Locator("#new-name").FillAsync(name);
        await page.Locator("#new-tax-id").FillAsync("7707083894");
        await page.Locator("#new-notes").FillAsync($"кухни и шкафы {marker}");
        await page.Locator("#new-save").ClickAsync();
        await Expect(page.Locator("#new-tax-id-error")).ToContainTextAsync("check digits must match");
        await Expect(page.Locator("#customers-error")).ToHaveTextAsync("Nothing was saved: correct the fields marked below.");
        await Expect(page.Locator("#new-name")).ToHaveValueAsync(name);
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#new-tax-id").FillAsync("7707083893");
        await page.Locator("#new-save").ClickAsync();
        await Expect(page.Locator("h1#customer-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("#edit-tax-id")).ToHaveValueAsync("7707083893");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);

        await page.Locator("#contact-new-name").FillAsync("Анна Смирнова");
        await page.Locator("#contact-new-position").FillAsync("дизайнер");
        await page.Locator("#contact-new-email").FillAsync("anna@example.com");
        await page.Locator("#contact-new-save").ClickAsync();
        await Expect(page.Locator("#customer-message")).ToHaveTextAsync("Contact Анна Смирнова added.");
        await Expect(page.Locator("#contacts-list .office-item")).ToHaveCountAsync(1);
        await Expect(page.Locator("#contacts-list")).ToContainTextAsync("anna@example.com");
        await Expect(page.Locator("#contact-new-name")).ToHaveValueAsync("");
        await Browser.AssertAccessibleAsync(page);

        // Found by "мебель" (the noun) though the name says "Мебельная" (the adjective), with the marker to single it out.
        await page.GotoAsync("/office/customers");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#customers-q").FillAsync($"мебель {marker}");
        await page.Locator("#customers-search").ClickAsync();
        await Expect(page.Locator("#customers-total")).ToHaveAttributeAsync("data-total", "1");
        await Expect(page.Locator("#customers-list .office-item-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("#customers-export")).ToHaveAttributeAsync("href", $"/api/office/customers/export.csv?q={Uri.EscapeDataString($"мебель {marker}")}&sort=relevance");

        // The header's search box finds it among customers, orders and documents, and its link opens the list of them all.
        await page.Locator("#header-search-q").FillAsync(marker);
        await page.Locator("#header-search-q").PressAsync("Enter");
        await Expect(page.Locator("#search-customers")).ToHaveAttributeAsync("data-total", "1");
        await Expect(page.Locator("#search-customers .office-item-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("#search-orders")).ToHaveAttributeAsync("data-total", "0");
        await Expect(page.Locator("#search-documents")).ToHaveAttributeAsync("data-count", "0");
        await Expect(page.Locator("#search-q")).ToHaveValueAsync(marker);
        await Browser.AssertAccessibleAsync(page);

        // In Russian on a phone: the pages, without sideways scrolling, as accessible.
        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync($"/office/search?q={marker}");
        await Expect(russian.Locator("#search-customers h2")).ToHaveTextAsync("Клиенты: найдено 1");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The search page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
        await russian.GotoAsync("/office/customers");
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Клиенты");
        await Expect(russian.Locator("#customers-search")).ToHaveTextAsync("Найти");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The customer list scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
        await russian.Locator("#customers-list .office-item-name", new() { HasText = name }).First.ClickAsync();
        await Expect(russian.Locator("h1#customer-name")).ToHaveTextAsync(name);
        await Expect(russian.Locator("#contacts-heading")).ToHaveTextAsync("Контактные лица");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "A customer's page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
    }
}
