using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

using Microsoft.Playwright;

namespace DomioOps.Testing;

/// <summary>
/// Debian's Chromium driven by Playwright, one per test class (a browser is dear to start on this machine; pages are
/// cheap): new pages in their own contexts, sign-in as a person would, and axe on a page.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium) => (this._playwright, Chromium) = (playwright, chromium);

    public IBrowser Chromium { get; }

    public static async Task<Browser> LaunchAsync()
    {
        // The machine is shared and often loaded: an expectation waits up to 30 s, a navigation up to 60 s (see
        // NewPageAsync); a failure still fails, later.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        return new Browser(playwright, chromium);
    }

    /// <summary>A page in a context of its own (its own cookies), speaking <paramref name="locale"/>.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, string locale = "en-US", int width = 1280, int height = 900)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Signs in through the sign-in page: password, then the current code of <paramref name="totpKey"/> when the page asks
    /// for one. Ends on the page the sign-in lands on.
    /// </summary>
    public static async Task SignInAsync(IPage page, string userName, string password, string? totpKey = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/sign-in");
        await page.Locator("#user-name").FillAsync(userName);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        // The password form is gone once the sign-in answered: the code step, or the page it lands on.
        await Assertions.Expect(page.Locator("#user-name")).ToHaveCountAsync(0);
        if (totpKey is not null)
        {
            await page.Locator("#code").FillAsync(Totp.Code(totpKey, DateTimeOffset.UtcNow));
            await page.Locator("#verify").ClickAsync();
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        }

        await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in"));
    }

    /// <summary>axe (WCAG 2.x A and AA rules) on the page as it stands: no serious or critical violation, each named with where it is.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        });
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        if (serious.Count > 0)
        {
            throw new InvalidOperationException($"axe on {page.Url}:{Environment.NewLine}{string.Join(Environment.NewLine, serious)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
