using System.Globalization;
using System.Net.Http.Json;

using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.EndToEnd.Tests;

/// <summary>The machines page in a real browser (Debian's Chromium driven by Playwright) against the running slice.</summary>
public sealed class MachinesPageTests
{
    [Fact]
    public async Task MachinesPage_AdminEnrolsTwoFactorThenPieceCountGoesUpLive_WithoutReload()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, TimeSpan.FromSeconds(60), ct);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        // A new administrator, whose role requires two-factor sign-in and who has not set it up yet.
        const string Password = "Second-Admin-2026";
        using (var created = await slice.CloudHttp.PostAsJsonAsync("api/security/users", new { userName = "admin-2", password = Password, roles = new[] { "Admin" } }, ct))
        {
            created.EnsureSuccessStatusCode();
        }

        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });
        await page.GotoAsync(slice.Cloud!.BaseAddress.ToString());

        // Not signed in: the page sends the person to the sign-in page.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in\\.html"));
        await page.Locator("#user-name").FillAsync("admin-2");
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#sign-in").ClickAsync();

        // The password is not enough for an Admin: first their account page, to set up the authenticator.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account\\.html"));
        await Assertions.Expect(page.Locator("#required")).ToBeVisibleAsync();
        var sharedKey = page.Locator("#shared-key");
        await Assertions.Expect(sharedKey).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-7 ]{32,}$"));
        string key = (await sharedKey.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.Locator("#code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow));
        await page.Locator("#enable-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#codes")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#setup")).ToBeHiddenAsync();
        await page.Locator("header a[href=\"/\"]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(slice.Cloud.BaseAddress.ToString());

        var card = page.Locator($"[data-machine=\"{Slice.Machine}\"]");
        var pieces = card.Locator(".pieces");
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(pieces).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        var first = int.Parse(await pieces.InnerTextAsync(), CultureInfo.InvariantCulture);

        // No reload: the count must rise through the SignalR hub alone.
        await page.WaitForFunctionAsync(
            "([selector, first]) => Number(document.querySelector(selector)?.textContent) > first",
            new object[] { $"[data-machine=\"{Slice.Machine}\"] .pieces", first },
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal("Machines", await page.Locator("h1").InnerTextAsync());

        // And the page speaks Russian at a click.
        await page.Locator("#language").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Станки");
    }
}
