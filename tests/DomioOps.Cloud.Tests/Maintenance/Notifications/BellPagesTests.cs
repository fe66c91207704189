using System.Net;

using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>
/// The shop of <see cref="ProductionCloud"/> whose maintenance notifications go to the administrators' bells and to the
/// bell of a person who does not exist (a delivery that fails for good).
/// </summary>
public sealed class BellCloud : ProductionCloud
{
    public const string Nobody = "no-such-person";

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        .. base.Settings,
        new("Maintenance:Scoring", "false"),
        new("Maintenance:Notifications:Receivers:desk:Channels:0:Channel", "Bell"),
        new("Maintenance:Notifications:Receivers:desk:Channels:0:Role", DomioOps.Cloud.Security.DomioRoles.Admin),
        new("Maintenance:Notifications:Receivers:ghost:Channels:0:Channel", "Bell"),
        new("Maintenance:Notifications:Receivers:ghost:Channels:0:Address", Nobody),
        new("Maintenance:Notifications:Rules:0:Name", "everything"),
        new("Maintenance:Notifications:Rules:0:MinimumSeverity", "Info"),
        new("Maintenance:Notifications:Rules:0:Receivers:0", "desk"),
        new("Maintenance:Notifications:Rules:0:Receivers:1", "ghost"),
        new("Maintenance:Notifications:Rules:0:GroupWait", "00:00:00"),
        new("Maintenance:Notifications:Rules:0:GroupInterval", "00:00:05"),
        new("Maintenance:Notifications:Rules:0:RepeatInterval", "01:00:00"),
        new("Maintenance:Notifications:Delivery:PollInterval", "00:00:01"),
    ];

    /// <summary>An alert on <paramref name="machine"/> is raised, as the scoring publishes it.</summary>
    internal Task RaiseAsync(long alertId, string machine, AlertSeverity severity, string title, CancellationToken ct) =>
        App.Services.GetRequiredService<IAlertNotifications>().PublishAsync(new AlertNotice(alertId, machine, null, severity, AlertStatus.Raised, title,
            $"{title}: spindle vibration up 40 % over 6 h", $"/maintenance/machines/{machine}", DateTimeOffset.UtcNow), ct);
}

/// <summary>
/// The header's bell, a person's notifications and the deliveries page in Chromium against the real host: an alert
/// reaches the administrator's bell through the timeline, the outbox and the dispatcher; read, the count drops; the
/// delivery to a person who does not exist is listed as failed, with its reason, and can be tried again; in Russian at
/// 360 px too; axe on each.
/// </summary>
public sealed class BellPagesTests(BellCloud cloud) : IClassFixture<BellCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Bell_AlertRaised_CountInTheHeaderMessageOnItsPageReadDropsTheCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);
        await page.GotoAsync("/maintenance");
        var unreadBefore = int.Parse((await page.Locator("#bell").GetAttributeAsync("data-unread"))!, System.Globalization.CultureInfo.InvariantCulture);

        var title = $"Spindle bearing {Guid.NewGuid():N}"[..24];
        await cloud.RaiseAsync(Random.Shared.NextInt64(1_000, long.MaxValue), "cnc-01", AlertSeverity.Warning, title, ct);

        // On a live page the header counts again by itself.
        await Expect(page.Locator("#bell")).ToHaveAttributeAsync("data-unread", $"{unreadBefore + 1}", new() { Timeout = 60_000 });
        await Expect(page.Locator("#bell")).ToHaveAttributeAsync("aria-label", $"Notifications: {unreadBefore + 1} unread");
        await page.Locator("#bell").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Notifications");
        var item = page.Locator(".bell-item", new() { HasText = title });
        await Expect(item).ToHaveAttributeAsync("data-read", "false");
        await Expect(item.Locator("a")).ToHaveAttributeAsync("href", "/maintenance/machines/cnc-01");
        await Browser.AssertAccessibleAsync(page);

        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        await page.Locator("#bell-read-all").ClickAsync();
        await Expect(page.Locator("#bell-message")).ToHaveTextAsync($"Marked as read: {unreadBefore + 1}.");
        await Expect(item).ToHaveAttributeAsync("data-read", "true");
        // The header's bell is told at once, not at its next round.
        await Expect(page.Locator("#bell")).ToHaveAttributeAsync("data-unread", "0", new() { Timeout = 5_000 });
        await Expect(page.Locator("#bell-read-all")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Deliveries_BellOfNobody_FailedWithItsReasonTriedAgainAndInRussianAt360Pixels()
    {
        var ct = TestContext.Current.CancellationToken;
        var title = $"Glue heater {Guid.NewGuid():N}"[..20];
        await cloud.RaiseAsync(Random.Shared.NextInt64(1_000, long.MaxValue), "edgebander-01", AlertSeverity.Critical, title, ct);
        var page = await cloud.AdminPageAsync(_browser, "en-US", 1920);

        await page.GotoAsync("/maintenance");
        await page.Locator("#maintenance-deliveries-link").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Notification deliveries");
        await Expect(page.Locator("#deliveries-failed")).ToHaveAttributeAsync("aria-pressed", "true");
        var failed = page.Locator("#deliveries tbody tr[data-status=\"Failed\"]", new() { HasText = title });
        await Expect(failed).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(failed).ToContainTextAsync(BellCloud.Nobody);
        Assert.False(string.IsNullOrWhiteSpace(await failed.Locator(".delivery-error").InnerTextAsync()), "a failed delivery says why");
        await Browser.AssertAccessibleAsync(page);

        // The administrator's own bell got it: among the sent ones.
        await page.Locator("#deliveries-sent").ClickAsync();
        await Expect(page.Locator("#deliveries tbody tr[data-status=\"Sent\"]", new() { HasText = title })).ToHaveCountAsync(1);

        // Never attempted: the person was not found when the message was written.
        await page.Locator("#deliveries-failed").ClickAsync();
        await Expect(page.Locator("[data-live=\"true\"]")).ToHaveCountAsync(1);
        var id = (await failed.GetAttributeAsync("id"))!;
        await page.Locator($"#{id}-attempts").ClickAsync();
        await Expect(page.Locator($"#{id}-attempts")).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator(".delivery-attempts")).ToContainTextAsync("No attempt");

        // Tried again: queued; the bell refuses a person who does not exist, so it fails again, now with an attempt.
        await page.Locator($"#{id}-retry").ClickAsync();
        await Expect(page.Locator("#deliveries-message")).ToContainTextAsync("is queued for another attempt");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await page.Locator($"#{id} td.number").CountAsync() == 0 || await page.Locator($"#{id} td.number").InnerTextAsync() != "1")
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the delivery tried again did not fail again with its attempt within 30 s");
            await Task.Delay(250, ct);
            await page.Locator("#deliveries-failed").ClickAsync();
        }

        await Expect(page.Locator($"#{id} .delivery-error")).ToContainTextAsync("No person has the user id");

        // In Russian on a phone: the same pages, without sideways scrolling, as accessible.
        var russian = await cloud.AdminPageAsync(_browser, "ru-RU", 360);
        await russian.GotoAsync("/maintenance/deliveries");
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Доставка уведомлений");
        await Expect(russian.Locator("#deliveries-failed")).ToHaveTextAsync("Не доставлено");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The deliveries page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
        await russian.Locator("#bell").ClickAsync();
        await Expect(russian.Locator("h1")).ToHaveTextAsync("Уведомления");
        Assert.True(await russian.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The notifications page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(russian);
    }
}
