using System.Text.Json;

using DomioOps.Cloud.Tests.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Terminal;

/// <summary>
/// The operator terminal (<c>/terminal/</c>) in Debian's Chromium against the real host on real PostgreSQL: installable,
/// walked as an operator walks it, and through a network cut with a reload; axe on each screen.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class TerminalPageTests(SecureCloud cloud) : IAsyncLifetime
{
    private Browser browser = null!;

    public async ValueTask InitializeAsync() => browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await browser.DisposeAsync();

    [Fact]
    public async Task Terminal_Chromium_FindsItInstallable()
    {
        var page = await browser.NewPageAsync(cloud.BaseAddress);
        try
        {
            await page.GotoAsync("/terminal/");
            // The service worker took the page: the shell is cached for offline use.
            await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
            var cdp = await page.Context.NewCDPSessionAsync(page);
            var manifest = (await cdp.SendAsync("Page.getAppManifest"))!.Value;
            Assert.Equal(0, manifest.GetProperty("errors").GetArrayLength());
            var installability = (await cdp.SendAsync("Page.getInstallabilityErrors"))!.Value.GetProperty("installabilityErrors");
            // Playwright's browser contexts are off the record, where Chromium installs nothing: that one is the context's, not the page's.
            var errors = installability.EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).Where(id => id != "in-incognito").ToList();
            Assert.True(errors.Count == 0, JsonSerializer.Serialize(installability));
            await Expect(page).ToHaveTitleAsync("DomioOps terminal");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
