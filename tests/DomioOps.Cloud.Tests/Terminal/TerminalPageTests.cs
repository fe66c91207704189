using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Terminal;

/// <summary>
/// The operator terminal (<c>/terminal/</c>) in Debian's Chromium against the real host on real PostgreSQL, with a
/// small shop (<see cref="ProductionCloud"/>): walked as an operator walks it, through a network cut with a reload,
/// and installable; axe on each screen.
/// </summary>
public sealed class TerminalPageTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>, IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Terminal_OperatorStartsReportsAndFinishes_TheHostHasIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CounterAsync("saw-01", 100); // what the saw made before this job
        var order = await cloud.CreateOrderAsync("TERM-1", ProductionCloud.Panel("Side panel", 10));
        var id = order.Parts[0].Operations[0].Id;
        var (key, userName, pin) = await TerminalAndOperatorAsync(ct);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, width: 1280, height: 800);
        try
        {
            // The terminal signs in once with its key.
            await page.GotoAsync("/terminal");
            await Expect(page).ToHaveURLAsync(new Uri(cloud.BaseAddress, "/terminal/").ToString());
            await Expect(page.Locator("#terminal-key")).ToBeVisibleAsync();
            await Browser.AssertAccessibleAsync(page);
            await page.Locator("#terminal-key").FillAsync("domioterm_wrong");
            await page.Locator("#terminal-sign-in").ClickAsync();
            await Expect(page.Locator("#alert")).ToContainTextAsync("unknown or revoked");
            await page.Locator("#terminal-key").FillAsync(key);
            await page.Locator("#terminal-sign-in").ClickAsync();

            // The operator: the badge field holds the focus for the reader; a wrong PIN is said in words.
            await Expect(page.Locator("#badge")).ToBeFocusedAsync();
            await Browser.AssertAccessibleAsync(page);
            await page.Locator("#user-name").FillAsync(userName);
            await TypePinAsync(page, "000000");
            await page.Locator("#pin-submit").ClickAsync();
            await Expect(page.Locator("#alert")).ToContainTextAsync("wrong user name or PIN");
            await page.Locator("#user-name").FillAsync(userName);
            await TypePinAsync(page, pin);
            await page.Locator("#pin-submit").ClickAsync();

            // The work screen: the operation at the front, the saw live.
            await Expect(page.Locator("#operator-name")).ToContainTextAsync(userName);
            await page.Locator($"[data-operation=\"{id}\"]").Or(page.Locator("#current-title", new() { HasText = "TERM-1" })).First.ClickAsync();
            await Expect(page.Locator("#current-title")).ToContainTextAsync("TERM-1");
            await Expect(page.Locator("#current-title")).ToContainTextAsync("Side panel");
            await Expect(page.Locator("[data-machine=\"saw-01\"]")).ToBeVisibleAsync();
            await Browser.AssertAccessibleAsync(page);

            await page.Locator("#start").ClickAsync();
            await Expect(page.Locator("#operation-state")).ToHaveTextAsync("Running on saw-01");
            await Expect(page.Locator("#outbox-count")).ToBeHiddenAsync();
            await WaitForStateAsync(id, OperationState.Running, ct);
            // The saw cuts 3 pieces: the count arrives live.
            await cloud.CounterAsync("saw-01", 103);
            await Expect(page.Locator("[data-value=\"counted\"]")).ToHaveTextAsync("3");

            // Report 2 good: the panel proposes what was counted and not yet reported.
            await page.Locator("#report").ClickAsync();
            await Expect(page.Locator("#good")).ToHaveValueAsync("3");
            await Browser.AssertAccessibleAsync(page);
            await page.Locator("#good").FillAsync("2");
            await page.Locator("#scrap").FillAsync("1");
            await page.Locator("#quantities-submit").ClickAsync();
            await Expect(page.Locator("#quantities-error")).ToHaveTextAsync("Choose the scrap reason.");
            await page.Locator("#scrap").FillAsync("0");
            await page.Locator("#quantities-submit").ClickAsync();
            await Expect(page.Locator("[data-value=\"good\"]")).ToHaveTextAsync("2");
            await Expect(page.Locator("#outbox-count")).ToBeHiddenAsync();

            await page.Locator("#finish").ClickAsync();
            await Expect(page.Locator("#good")).ToHaveValueAsync("1");
            await page.Locator("#good").FillAsync("0");
            await page.Locator("#quantities-submit").ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("Finished: TERM-1 · Side panel");
            await Expect(page.Locator("#outbox-count")).ToBeHiddenAsync();

            // The operations table follows the operation's grain, as for the start above.
            await WaitForStateAsync(id, OperationState.Done, ct);
            var done = await cloud.QueryAsync(db => db.Operations.AsNoTracking().SingleAsync(o => o.Id == id, ct));
            Assert.Equal((OperationState.Done, 2, 0), (done.State, done.Good, done.Scrap));
            await Browser.AssertAccessibleAsync(page);

            // The operator signs off; the terminal stays signed in and waits for the next one.
            await page.Locator("#sign-off").ClickAsync();
            await Expect(page.Locator("#badge")).ToBeFocusedAsync();
            await page.ReloadAsync();
            await Expect(page.Locator("#badge")).ToBeVisibleAsync();
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Terminal_NetworkCutAndReloadWhileActing_EachActionAppliedOnceInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("TERM-2", ProductionCloud.Panel("Shelf", 8));
        var operation = order.Parts[0].Operations[0];
        var (key, userName, pin) = await TerminalAndOperatorAsync(ct);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, width: 1280, height: 800);
        var sent = new List<(string Kind, string Key, int Status)>();
        page.Response += (_, response) =>
        {
            if (response.Url.EndsWith("/api/terminal/actions", StringComparison.Ordinal) && response.Request.PostData is { } body)
            {
                using var action = JsonDocument.Parse(body);
                lock (sent)
                {
                    sent.Add((action.RootElement.GetProperty("kind").GetString()!, action.RootElement.GetProperty("key").GetString()!, response.Status));
                }
            }
        };
        try
        {
            await page.GotoAsync("/terminal/");
            await page.Locator("#terminal-key").FillAsync(key);
            await page.Locator("#terminal-sign-in").ClickAsync();
            await page.Locator("#user-name").FillAsync(userName);
            await page.Locator("#pin").FillAsync(pin);
            await page.Locator("#pin-submit").ClickAsync();
            await Expect(page.Locator("#operator-name")).ToContainTextAsync(userName);
            await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");

            // The part's label, scanned: a keyboard-wedge reader types it and Enter.
            await page.Locator("#scan").FillAsync($"domio:part:{operation.PartId};order:TERM-2;op:{operation.Id}");
            await page.Locator("#scan").PressAsync("Enter");
            await Expect(page.Locator("#current-title")).ToContainTextAsync("TERM-2");

            // The network drops: start, report 2 good, pause, all kept in the outbox and shown at once.
            await page.Context.SetOfflineAsync(true);
            await Expect(page.Locator("#online")).ToHaveTextAsync("Offline");
            await page.Locator("#start").ClickAsync();
            await Expect(page.Locator("#operation-state")).ToHaveTextAsync("Running on saw-01");
            await page.Locator("#report").ClickAsync();
            await page.Locator("#good").FillAsync("2");
            await page.Locator("#quantities-submit").ClickAsync();
            await Expect(page.Locator("[data-value=\"good\"]")).ToHaveTextAsync("2");
            await page.Locator("#pause").ClickAsync();
            await Expect(page.Locator("#outbox-count")).ToHaveTextAsync("3 waiting to send");
            await Expect(page.Locator("#operation-state")).ToHaveTextAsync("Paused");

            // A reload while offline: the service worker serves the shell, the outbox and the last work survive.
            await page.ReloadAsync();
            await Expect(page.Locator("#outbox-count")).ToHaveTextAsync("3 waiting to send");
            await Expect(page.Locator("#current-title")).ToContainTextAsync("TERM-2");
            await Expect(page.Locator("#operation-state")).ToHaveTextAsync("Paused");
            await Expect(page.Locator("[data-value=\"good\"]")).ToHaveTextAsync("2");
            Assert.Equal(OperationState.Ready, await StateAsync(operation.Id));

            // Back online: sent by themselves, in order, each once.
            await page.Context.SetOfflineAsync(false);
            await Expect(page.Locator("#outbox-count")).ToBeHiddenAsync();
            await Expect(page.Locator("#online")).ToHaveTextAsync("Online");
            var applied = await cloud.QueryAsync(db => db.Operations.AsNoTracking().SingleAsync(o => o.Id == operation.Id, ct));
            Assert.Equal((OperationState.Paused, 2, 0), (applied.State, applied.Good, applied.Scrap));
            Assert.Equal(1, await cloud.QueryAsync(db => db.Reports.CountAsync(r => r.OperationId == operation.Id, ct)));
            List<(string Kind, string Key, int Status)> answered;
            lock (sent)
            {
                answered = [.. sent.Where(s => s.Status == 200)];
            }

            Assert.Equal(["start", "report", "pause"], answered.Select(a => a.Kind));
            Assert.Equal(3, answered.Select(a => a.Key).Distinct().Count());
            var keys = answered.Select(a => Guid.Parse(a.Key)).ToList();
            var recorded = await cloud.QueryAsync(db => db.TerminalActions.AsNoTracking().Where(a => keys.Contains(a.Key)).OrderBy(a => a.AppliedAt).Select(a => a.Kind).ToListAsync(ct));
            Assert.Equal(["start", "report", "pause"], recorded);

            // The report sent again (as after a lost answer) is its first answer again and changes nothing.
            var token = await (await page.APIRequest.GetAsync("/api/account/antiforgery")).JsonAsync();
            var replay = await page.APIRequest.PostAsync("/api/terminal/actions", new()
            {
                Headers = new Dictionary<string, string> { [token!.Value.GetProperty("headerName").GetString()!] = token.Value.GetProperty("value").GetString()! },
                DataObject = new { key = answered[1].Key, kind = "report", operationId = operation.Id, good = 2, scrap = 0, at = DateTimeOffset.UtcNow },
            });
            Assert.Equal(200, replay.Status);
            Assert.Equal("true", replay.Headers.GetValueOrDefault("idempotent-replayed"));
            var after = await cloud.QueryAsync(db => db.Operations.AsNoTracking().SingleAsync(o => o.Id == operation.Id, ct));
            Assert.Equal(2, after.Good);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Terminal_MachineStoodTooLong_ReasonGivenWithOneTapInRussian()
    {
        var ct = TestContext.Current.CancellationToken;
        var since = DateTimeOffset.UtcNow.AddSeconds(-30);
        await cloud.ReportAsync("cnc-01", "edge-s", (1, Signal.MachineState, (double)MachineState.Working, since.AddMinutes(-5)), (2, Signal.MachineState, (double)MachineState.Standby, since));
        var (key, userName, pin) = await TerminalAndOperatorAsync(ct, "cnc");
        var page = await _browser.NewPageAsync(cloud.BaseAddress, width: 360, height: 740);
        try
        {
            await page.GotoAsync("/terminal/");
            await page.Locator("#terminal-key").FillAsync(key);
            await page.Locator("#terminal-sign-in").ClickAsync();
            // The language is the operator's choice, kept on the terminal.
            await page.Locator("button[lang=\"ru\"]").ClickAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("Кто работает?");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
            await page.Locator("#user-name").FillAsync(userName);
            await page.Locator("#pin").FillAsync(pin);
            await page.Locator("#pin-submit").ClickAsync();

            // At 360 px: the stop prompt asks, one big button per reason.
            var stops = page.Locator("#stops");
            await Expect(stops).ToContainTextAsync("cnc-01 стоит с");
            await Expect(page.Locator("#online")).ToHaveTextAsync("В сети");
            await Browser.AssertAccessibleAsync(page);
            await page.ReloadAsync();
            await Expect(stops).ToContainTextAsync("Почему?");
            await stops.Locator("[data-reason=\"setup\"]").ClickAsync();
            await Expect(stops).ToBeHiddenAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("Наладка");
            await Expect(page.Locator("#outbox-count")).ToBeHiddenAsync();
            // The terminal thanks the operator as it queues the answer, before it is sent.
            var reason = await Storage.Eventually.ReturnsAsync(
                () => cloud.QueryAsync(db => db.Stops.AsNoTracking().Where(s => s.MachineId == "cnc-01").Select(s => s.Reason).SingleAsync(ct)),
                seen => seen == StopReason.Setup,
                TimeSpan.FromSeconds(15),
                ct);
            Assert.Equal(StopReason.Setup, reason);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Terminal_Chromium_FindsItInstallable()
    {
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
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

    private Task<OperationState> StateAsync(long id) =>
        cloud.QueryAsync(db => db.Operations.AsNoTracking().Where(o => o.Id == id).Select(o => o.State).SingleAsync());

    /// <summary>Polls the operation's state until it is <paramref name="expected"/> (the page sends actions on its own time).</summary>
    private async Task WaitForStateAsync(long id, OperationState expected, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        OperationState state;
        while ((state = await StateAsync(id)) != expected)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"operation {id} is {state}, expected {expected}");
            await Task.Delay(100, ct);
        }
    }

    private static async Task TypePinAsync(IPage page, string pin)
    {
        await page.Locator(".key[data-key=\"clear\"]").ClickAsync();
        foreach (var digit in pin)
        {
            await page.Locator($".key[data-key=\"{digit}\"]").ClickAsync();
        }
    }

    /// <summary>A terminal at <paramref name="workCentre"/> (its key) and an operator with a PIN.</summary>
    private async Task<(string Key, string UserName, string Pin)> TerminalAndOperatorAsync(CancellationToken ct, string workCentre = "saw")
    {
        using var admin = await cloud.AdminAsync(ct);
        using var created = await admin.PostAsJsonAsync("api/security/terminals", new { name = $"Terminal {Guid.NewGuid():N}"[..17], workCentre }, ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var terminal = (await created.Content.ReadFromJsonAsync<Security.SecureCloud.NewKey>(ct))!;
        var userName = $"op-{Guid.NewGuid():N}"[..12];
        var userId = await cloud.CreateUserAsync(userName, InitialAdmin.Generate(), DomioRoles.Operator);
        const string pin = "246813";
        using var credential = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin }, ct);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, credential.StatusCode);
        return (terminal.Key, userName, pin);
    }
}
