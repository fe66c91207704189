using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// The machines board in a real browser (Debian's Chromium driven by Playwright) against the running slice: simulated saw,
/// edge and cloud as processes, one slice and one browser for the class.
/// </summary>
public sealed class MachinesPageTests(MachinesPageSlice fixture) : IClassFixture<MachinesPageSlice>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Board_AdminSetsUpTwoFactorThenOpensIt_PiecesAndStateChangeLiveWithoutReload()
    {
        var ct = TestContext.Current.CancellationToken;
        var slice = fixture.Slice;
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);
        // A new administrator, whose role requires two-factor sign-in and who has not set it up yet.
        const string Password = "Second-Admin-2026";
        using (var created = await slice.CloudHttp.PostAsJsonAsync("api/security/users", new { userName = "admin-2", password = Password, roles = new[] { "Admin" } }, ct))
        {
            created.EnsureSuccessStatusCode();
        }

        var page = await fixture.Browser.NewPageAsync(slice.Cloud!.BaseAddress);
        var requested = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, request) => requested.Enqueue(request.Url);
        await Browser.SignInAsync(page, "admin-2", Password);

        // The password is not enough for an Admin: first their account page, to set up the authenticator.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await Assertions.Expect(page.Locator("#required")).ToBeVisibleAsync();
        var sharedKey = page.Locator("#shared-key");
        await Assertions.Expect(sharedKey).ToHaveTextAsync(new Regex("^[A-Z2-7 ]{32,}$"));
        var key = (await sharedKey.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.Locator("#enable-code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow));
        await page.Locator("#enable-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#codes")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#setup")).ToBeHiddenAsync();

        await page.GotoAsync("/machines");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Machines");
        var card = page.Locator($"[data-machine=\"{Slice.Machine}\"]");
        var pieces = card.Locator(".pieces");
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-live", "connected");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-stale", "false");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", new Regex("^(Working|Ready)$"));
        await Assertions.Expect(card.Locator(".connection")).ToHaveTextAsync("online");
        await Assertions.Expect(card.Locator(".alarm")).ToHaveTextAsync("none");
        await Assertions.Expect(page.Locator($"[data-edge=\"{Slice.Site}/{Slice.EdgeId}\"] .edge-status")).ToHaveAttributeAsync("data-online", "true");
        var first = long.Parse(await pieces.GetAttributeAsync("data-value") ?? "", CultureInfo.InvariantCulture);
        // Marks this document: a reload would lose the mark.
        await page.EvaluateAsync("() => window.boardDocument = 'first'");

        // No reload: the count rises through the page's live circuit alone.
        await page.WaitForFunctionAsync(
            "([selector, first]) => Number(document.querySelector(selector)?.dataset.value) > first",
            new object[] { $"[data-machine=\"{Slice.Machine}\"] .pieces", first },
            new PageWaitForFunctionOptions { Timeout = (float)Bound.TotalMilliseconds });

        // The operator stops the saw: the card shows Standby since a later moment (the edge's clock, in data-state-since),
        // then counts the time in it with no data changing.
        var runningSince = long.Parse(await card.GetAttributeAsync("data-state-since") ?? "", CultureInfo.InvariantCulture);
        await slice.HoldSawAsync(true, ct);
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "Standby", new() { Timeout = (float)Bound.TotalMilliseconds });
        Assert.True(long.Parse(await card.GetAttributeAsync("data-state-since") ?? "", CultureInfo.InvariantCulture) > runningSince);
        await Assertions.Expect(card.Locator(".state")).ToHaveTextAsync("Standby");
        var inState = await card.Locator(".in-state").InnerTextAsync();
        await Assertions.Expect(card.Locator(".in-state")).Not.ToHaveTextAsync(inState, new() { Timeout = 10_000 });
        Assert.Equal("first", await page.EvaluateAsync<string>("() => window.boardDocument"));

        await Browser.AssertAccessibleAsync(page);
        // No web font is fetched, the component library's icon font (1 MB) least of all: the board is in the system's fonts.
        Assert.DoesNotContain(requested, url => url.Contains(".woff", StringComparison.OrdinalIgnoreCase));

        // A phone: the board fits without scrolling sideways; a wall display: the board takes the width.
        await page.SetViewportSizeAsync(360, 800);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the board scrolls sideways at 360 px");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(2560, 1440);
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('main').clientWidth > 2000"), "the board leaves a wall display's width unused");

        // And the page speaks Russian at a click, live again.
        await page.Locator("#language").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Станки");
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-live", "connected");
        await Assertions.Expect(card.Locator(".state")).ToHaveTextAsync("Ожидание");
    }

    [Fact]
    public async Task Board_Prerendered_CardsInTheHtmlBeforeAnyScript()
    {
        var ct = TestContext.Current.CancellationToken;
        var slice = fixture.Slice;
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);

        // The administrator's session of the slice (password and second factor): the page as a crawler or Lighthouse gets it.
        var html = await slice.CloudHttp.GetStringAsync(new Uri("machines", UriKind.Relative), ct);

        Assert.Contains($"data-machine=\"{Slice.Machine}\"", html, StringComparison.Ordinal);
        Assert.Matches(new Regex($"<section class=\"board-edge\"[^>]*data-edge=\"{Slice.Site}/{Slice.EdgeId}\""), html);
        Assert.Matches(new Regex("class=\"pieces\" data-value=\"[1-9][0-9]*\""), html);
        Assert.Contains("data-live=\"connecting\"", html, StringComparison.Ordinal);
    }
}

/// <summary>The slice and the browser, once for <see cref="MachinesPageTests"/>.</summary>
public sealed class MachinesPageSlice : IAsyncLifetime
{
    private Slice? _slice;
    private Browser? _browser;

    internal Slice Slice => _slice ?? throw new InvalidOperationException("Not started.");

    internal Browser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        _slice = await Slice.StartAsync(TestContext.Current.CancellationToken);
        _browser = await Browser.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_slice is not null)
        {
            await _slice.DisposeAsync();
        }
    }
}
