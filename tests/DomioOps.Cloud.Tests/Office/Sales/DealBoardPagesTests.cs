using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Office.Sales;

/// <summary>
/// The deal board and the activities page in Chromium against the real host: a deal created on the board and moved by
/// its accessible "move to stage" select; a second person's browser sees the move without reloading and sees the first
/// person looking; the customer's timeline shows the move; in Russian at 360 px without sideways scrolling; axe on each.
/// </summary>
public sealed class DealBoardPagesTests(OfficeCloud cloud) : IClassFixture<OfficeCloud>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Deal_MovedBySelect_SecondPersonSeesItLiveAndSeesWhoIsLooking()
    {
        var ct = TestContext.Current.CancellationToken;
        var marker = "zq" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + (c % 26))))[..10];
        Customer customer;
        using (var admin = await cloud.AdminAsync(ct))
        using (var created = await admin.PostAsJsonAsync("api/office/customers", new { kind = "company", name = $"Салон {marker}" }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            customer = (await created.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
        }

        var first = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await first.GotoAsync("/office/deals");
        await Expect(first.Locator("h1")).ToHaveTextAsync("Deals");
        await Expect(first.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await first.Locator("#deal-new-title").FillAsync($"Кухня {marker}");
        await first.Locator("#deal-new-customer").SelectOptionAsync(customer.Id.ToString(CultureInfo.InvariantCulture));
        await first.Locator("#deal-new-value").FillAsync("125000");
        await first.Locator("#deal-new-save").ClickAsync();
        var card = first.Locator("#stage-lead .deal-card", new() { HasText = marker });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToContainTextAsync($"Салон {marker}");
        await Browser.AssertAccessibleAsync(first);

        // A second person (a planner, who reads the board; the fixture asks the office for a second factor), signed in with
        // a password in a browser of their own, opens the same board.
        var name = $"sales-{marker}";
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(name, password, DomioRoles.Planner);
        var second = await _browser.NewPageAsync(cloud.BaseAddress, "en-US", width: 1280);
        var cookies = new CookieContainer();
        using (var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        using (var person = new HttpClient(handler) { BaseAddress = cloud.BaseAddress })
        using (var signIn = await person.PostAsJsonAsync("api/account/sign-in", new { userName = name, password }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        await second.Context.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Domain = "127.0.0.1",
            Path = "/",
            HttpOnly = c.HttpOnly,
        }));
        await second.GotoAsync("/office/deals");
        await Expect(second.Locator("h1")).ToHaveTextAsync("Deals");
        await Expect(second.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(second.Locator("#stage-lead .deal-card", new() { HasText = marker })).ToHaveCountAsync(1);
        await Expect(second.Locator("#deals-presence")).ToContainTextAsync("Also looking: admin");
        await Expect(first.Locator("#deals-presence")).ToContainTextAsync(name);

        // Moved by the select (keyboard and touch reach it): the second board follows without a reload.
        await card.Locator("select").SelectOptionAsync(new SelectOptionValue { Label = "Proposal" });
        await Expect(first.Locator("#deals-message")).ToContainTextAsync("moved to Proposal");
        await Expect(first.Locator("#stage-proposal .deal-card", new() { HasText = marker })).ToHaveCountAsync(1);
        await Expect(second.Locator("#stage-proposal .deal-card", new() { HasText = marker })).ToHaveCountAsync(1);
        await Expect(second.Locator("#stage-lead .deal-card", new() { HasText = marker })).ToHaveCountAsync(0);

        // A closed browser keeps its circuit for reconnection a while, so its departure shows when its lease runs out
        // (IPresenceGrain.Lease): not waited for here.
        await second.Context.CloseAsync();

        await first.GotoAsync($"/office/customers/{customer.Id}");
        await Expect(first.Locator("#timeline-list .timeline-entry").First).ToHaveAttributeAsync("data-action", "office.deal.moved");
        await Expect(first.Locator("#timeline-list")).ToContainTextAsync("Lead / Лид → Proposal / Предложение");
        await Browser.AssertAccessibleAsync(first);

        // In Russian on a phone: the board and the activities, without sideways scrolling, as accessible.
        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync("/office/deals");
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Сделки");
        await Expect(russian.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await Expect(russian.Locator("#stage-proposal h2")).ToContainTextAsync("Предложение");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The deal board scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);

        await russian.GotoAsync("/office/activities");
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Дела");
        await Expect(russian.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await russian.Locator("#activity-new-subject").FillAsync($"Позвонить {marker}");
        await russian.Locator("#activity-new-due").FillAsync("2030-01-15T10:00");
        await russian.Locator("#activity-new-save").ClickAsync();
        var item = russian.Locator("#activities-list .office-item", new() { HasText = marker });
        await Expect(item).ToHaveCountAsync(1);
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The activities scroll sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
        await item.Locator("button").ClickAsync();
        await Expect(russian.Locator("#activities-message")).ToContainTextAsync("выполнено");
        await Expect(item).ToHaveCountAsync(0);
    }
}
