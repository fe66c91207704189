using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Office.Materials;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Office.Materials;

/// <summary>
/// The stock page and a purchase order received on its page, in Chromium against the real host: a material below its
/// minimum highlighted and suggested; an over-receipt named next to its line and nothing received; a partial then a full
/// receipt; the material no longer below its minimum. In Russian at 360 px without sideways scrolling; axe on each page.
/// </summary>
public sealed class MaterialPagesTests(MaterialsCloud cloud) : IClassFixture<MaterialsCloud>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task StockAndPurchaseOrder_ReceivedPartlyThenFully_InRussianAt360Pixels()
    {
        var ct = TestContext.Current.CancellationToken;
        var m = $"t{Guid.NewGuid():N}"[..10];
        using var office = await cloud.OfficeClientAsync(ct);
        var handle = await PostAsync<Material>(office, "api/office/materials", new { kind = "hardware", name = $"Ручка {m}", article = $"R-{m}" }, ct);
        using (var minimum = await office.PutAsJsonAsync($"api/office/materials/{handle.Id}/minimum", new { minimum = 5 }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, minimum.StatusCode);
        }

        var supplier = await PostAsync<Supplier>(office, "api/office/suppliers", new { name = $"Фурнитура {m}" }, ct);
        var order = await PostAsync<PurchaseOrder>(office, "api/office/purchase-orders",
            new { supplierId = supplier.Id, lines = new[] { new { materialId = handle.Id, quantity = 5, price = 120.5 } } }, ct);
        var warehouse = (await office.GetFromJsonAsync<List<Warehouse>>("api/office/materials/warehouses", Json, ct))!.Single(w => w.Code == "main").Id;

        var page = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await page.GotoAsync("/office/materials");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Материалы и склад");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        var row = page.Locator($"#stock-{handle.Id}-{warehouse}");
        await Expect(row).ToHaveAttributeAsync("data-below", "true");
        await Expect(row).ToContainTextAsync("Ниже минимума");
        await Expect(page.Locator($"#suggestion-{handle.Id}-{warehouse}")).ToContainTextAsync("купить 5 шт");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The stock page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync($"/office/purchase-orders/{order.Id}");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#purchase-status")).ToHaveAttributeAsync("data-status", "draft");
        await page.Locator("#purchase-order").ClickAsync();
        await Expect(page.Locator("#purchase-status")).ToHaveAttributeAsync("data-status", "ordered");

        // Over-receipt: named next to its line, nothing received, what was typed stays.
        await page.Locator("#receive-1").FillAsync("7");
        await page.Locator("#purchase-receive").ClickAsync();
        await Expect(page.Locator("#receive-1-error")).ToContainTextAsync("не более 5");
        await Expect(page.Locator("#receive-1")).ToHaveValueAsync("7");
        await Expect(page.Locator("#line-1 .line-received")).ToHaveTextAsync("0");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#receive-1").FillAsync("2");
        await page.Locator("#purchase-receive").ClickAsync();
        await Expect(page.Locator("#purchase-status")).ToHaveAttributeAsync("data-status", "partiallyReceived");
        await Expect(page.Locator("#line-1 .line-received")).ToHaveTextAsync("2");
        await page.Locator("#receive-1").FillAsync("3");
        await page.Locator("#purchase-receive").ClickAsync();
        await Expect(page.Locator("#purchase-status")).ToHaveAttributeAsync("data-status", "received");
        await Expect(page.Locator("#line-1 .line-received")).ToHaveTextAsync("5");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "A purchase order's page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync("/office/materials");
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(row).ToHaveAttributeAsync("data-below", "false");
        await Expect(row.Locator(".stock-on-hand")).ToHaveTextAsync("5");
        await Expect(page.Locator($"#suggestion-{handle.Id}-{warehouse}")).ToHaveCountAsync(0);

        // The list in English on a desktop.
        var english = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await english.GotoAsync("/office/purchase-orders");
        await Expect(english.Locator("h1")).ToHaveTextAsync("Purchase orders");
        await Expect(english.Locator($"#purchase-{order.Id}")).ToHaveAttributeAsync("data-status", "received");
        await Browser.AssertAccessibleAsync(english);
    }

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }
}
