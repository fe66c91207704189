using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>
/// The production orders pages in Debian's Chromium against the real host on real PostgreSQL: a planner (office side; the Office role must set up two-factor first) lists the
/// orders, searches, opens one and sees its parts and operations, the running one counting live; axe on both pages.
/// </summary>
public sealed class OrdersPageTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task OrdersPages_PlannerSearchesAndOpensAnOrder_SeesItsPartsAndTheRunningOperationCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"UI{Guid.NewGuid():N}"[..10].ToUpperInvariant();
        await cloud.CreateOrderAsync($"{prefix}-1", ProductionCloud.Panel("Side", 4));
        var order = await cloud.CreateOrderAsync($"{prefix}-2", ProductionCloud.Panel("Door", 8, edge: "ABS 2"), ProductionCloud.Panel("Shelf", 4));
        var door = order.Parts[0].Operations.Single(o => o.Step == 1).Id;
        await cloud.CounterAsync("saw-01", 500);
        await StartAsync(door, ct);
        await cloud.CounterAsync("saw-01", 503);

        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await Browser.SignInAsync(page, userName, password);

        await page.GotoAsync("/production/orders");
        await Expect(page.Locator(".orders-page")).ToHaveAttributeAsync("data-live", "true");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Production orders");
        await Expect(page.Locator($"[data-order=\"{prefix}-1\"]")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#orders-search").FillAsync($"{prefix}-2");
        await page.Locator("#orders-apply").ClickAsync();
        await Expect(page.Locator($"[data-order=\"{prefix}-1\"]")).ToHaveCountAsync(0);
        var row = page.Locator("tr", new() { Has = page.Locator($"[data-order=\"{prefix}-2\"]") });
        await Expect(row).ToContainTextAsync("In progress");
        await Expect(page.Locator("#orders-csv")).ToHaveAttributeAsync("href", $"/api/production/orders/export?format=csv&search={prefix}-2");

        await page.Locator($"[data-order=\"{prefix}-2\"]").ClickAsync();
        await Expect(page.Locator("#order-heading")).ToHaveTextAsync($"Order {prefix}-2");
        await Expect(page.Locator(".orders-page")).ToHaveAttributeAsync("data-live", "true");
        await Expect(page.Locator(".order-part")).ToHaveCountAsync(2);
        await Expect(page.Locator(".order-part").First.Locator("h2")).ToContainTextAsync("Door");
        var running = page.Locator($"tr[data-operation=\"{door}\"]");
        await Expect(running).ToHaveClassAsync("running-now");
        await Expect(running.Locator("[data-counted]")).ToHaveTextAsync("3");
        await Expect(running.Locator("[data-good]")).ToHaveTextAsync("0");
        await Expect(page.Locator("#order-running")).ToContainTextAsync("saw-01");
        await Browser.AssertAccessibleAsync(page);

        // The saw counts on: the page follows without a reload.
        await cloud.CounterAsync("saw-01", 505);
        await Expect(running.Locator("[data-counted]")).ToHaveTextAsync("5", new() { Timeout = 15_000 });
    }

    private async Task StartAsync(long operationId, CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        using var terminal = (await cloud.TerminalClientAsync(admin, "saw", ct)).Client;
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions",
            new { key = Guid.NewGuid(), kind = "start", operationId, machineId = "saw-01" }, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
    }
}
