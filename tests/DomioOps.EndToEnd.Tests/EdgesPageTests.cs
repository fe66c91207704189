using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// The edges pages as an administrator walks them, in Debian's Chromium against the running slice: an edge registered
/// on the page connects with the password the page showed once; a configuration the edge refuses shows its error at
/// the key, and a good one is applied.
/// </summary>
public sealed class EdgesPageTests(EdgesPageTests.Fixture fixture) : IClassFixture<EdgesPageTests.Fixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Expectations that wait on the edge or the cloud get the slice's bound, not Playwright's 5 s.</summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = (float)Bound.TotalMilliseconds };

    [Fact]
    public async Task EdgesPage_AdminRegistersAnEdge_ItsAgentConnectsWithThePasswordShownOnceAndItsMachineAppears()
    {
        var ct = TestContext.Current.CancellationToken;
        var slice = fixture.Slice;
        const string NewEdge = "edge-new";
        const string NewMachine = "saw-new";
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/admin/edges");
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(page.Locator($"[data-edge=\"{Slice.Site}/{Slice.EdgeId}\"] [data-state]")).ToHaveAttributeAsync("data-state", "online", Slow);
        await Browser.AssertAccessibleAsync(page);

        // A wrong id is refused at its field, and what was typed stays.
        await page.Locator("#edge-site").FillAsync(Slice.Site);
        await page.Locator("#edge-id").FillAsync("edge new");
        await page.Locator("#register").ClickAsync();
        await Assertions.Expect(page.Locator("#edge-id-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#edge-site")).ToHaveValueAsync(Slice.Site);

        await page.Locator("#edge-id").FillAsync(NewEdge);
        await page.Locator("#register").ClickAsync();
        var shown = page.Locator("#issued-password");
        await Assertions.Expect(shown).ToHaveValueAsync(new Regex("^[A-Za-z0-9_-]{32}$"));
        await Assertions.Expect(page.Locator("#issued-once")).ToContainTextAsync("shown only this once");
        await Assertions.Expect(page.Locator("#issued-user")).ToHaveValueAsync($"{Slice.Site}/{NewEdge}");
        var password = await shown.InputValueAsync();
        await Browser.AssertAccessibleAsync(page);

        var row = page.Locator($"[data-edge=\"{Slice.Site}/{NewEdge}\"]");
        await Assertions.Expect(row.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "offline");
        // Audited with the person and the address the page was opened from, though the change came through the live circuit.
        var audit = await slice.CloudHttp.GetFromJsonAsync<JsonElement>("api/audit?limit=1000", ct);
        var registered = Assert.Single(audit.EnumerateArray(), r => r.GetProperty("entityId").GetString() == $"{Slice.Site}/{NewEdge}");
        Assert.Equal(("edge.registered", "person", "127.0.0.1"), (registered.GetProperty("action").GetString(), registered.GetProperty("actorKind").GetString(), registered.GetProperty("address").GetString()));

        // The agent is set up with what the page showed: it connects, the row turns online live, and its machine reports.
        await slice.StartEdgeAsync(NewEdge, password, NewMachine, ct);
        await Assertions.Expect(row.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "online", Slow);
        var machine = await WaitForMachineAsync(slice, NewMachine, ct);
        Assert.Equal((Slice.Site, NewEdge), (machine.Site, machine.Edge));

        // Once: put away, the password is gone, and the page never shows it again.
        await page.Locator("#issued-done").ClickAsync();
        await Assertions.Expect(page.Locator("#issued-password")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(row.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "online");
        Assert.DoesNotContain(password, await page.ContentAsync(), StringComparison.Ordinal);

        // And its machine is on the board, under the new edge.
        await page.GotoAsync("/machines");
        var card = page.Locator($"[data-machine=\"{NewMachine}\"]");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".pieces")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("[0-9]"));
        await Assertions.Expect(page.Locator($"[data-edge=\"{Slice.Site}/{NewEdge}\"] [data-machine=\"{NewMachine}\"]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task EdgeDetailPage_ConfigurationWithAPortOutOfRange_ErrorAtItsKeyThenAGoodOneIsApplied()
    {
        var slice = fixture.Slice;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/admin/edges/{Slice.Site}/{Slice.EdgeId}");
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(page.Locator("#config-state")).ToHaveAttributeAsync("data-state", "none");
        await Browser.AssertAccessibleAsync(page);
        var state = page.Locator("#config-state");
        var port = page.Locator("[data-key=\"Devices:ModbusTcp:0:Port\"]");

        // The cloud takes it (its shape is right); the edge refuses it, and the page shows why beside the port.
        await page.Locator("#config-json").FillAsync(Devices(70_000));
        await page.Locator("#save-configuration").ClickAsync();
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "refused", Slow);
        await Assertions.Expect(port.Locator(".field-error")).ToContainTextAsync("must be a TCP port, 1-65535");
        await Assertions.Expect(port.Locator("td").First).ToHaveTextAsync("70000");
        await Assertions.Expect(page.Locator("[data-version=\"1\"]")).ToHaveAttributeAsync("data-outcome", "refused");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#config-json").FillAsync(Devices(slice.ModbusPort));
        await page.Locator("#save-configuration").ClickAsync();
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "applied", Slow);
        Assert.Equal("2", await state.GetAttributeAsync("data-desired"));
        Assert.Equal(await state.GetAttributeAsync("data-desired"), await state.GetAttributeAsync("data-applied"));
        await Assertions.Expect(port.Locator("td").First).ToHaveTextAsync(slice.ModbusPort.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(port.Locator(".field-error")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-version=\"2\"]")).ToHaveAttributeAsync("data-outcome", "applied");
        await Assertions.Expect(page.Locator("[data-version=\"1\"]")).ToHaveAttributeAsync("data-outcome", "refused");

        // The API agrees with the page.
        var configuration = await slice.CloudHttp.GetFromJsonAsync<JsonElement>($"api/edges/{Slice.Site}/{Slice.EdgeId}/configuration", TestContext.Current.CancellationToken);
        Assert.Equal((2, 2, 1), (configuration.GetProperty("desired").GetProperty("version").GetInt32(), configuration.GetProperty("appliedVersion").GetInt32(), configuration.GetProperty("rejectedVersion").GetInt32()));
    }

    /// <summary>The saw's device as a remote configuration, reading it on <paramref name="port"/>.</summary>
    private static string Devices(int port) => JsonSerializer.Serialize(new
    {
        Devices = new
        {
            ModbusTcp = new[]
            {
                new
                {
                    Machine = Slice.Machine,
                    Port = port,
                    PollInterval = "00:00:00.050",
                    Tags = new object[] { new { Signal = "MachineState", Register = 0 }, new { Signal = "PieceCounter", Register = 1, Type = "UInt32" } },
                },
            },
        },
    });

    private static async Task<MachineView> WaitForMachineAsync(Slice slice, string machine, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await slice.CloudHttp.GetAsync(new Uri($"api/machines/{machine}", UriKind.Relative), ct);
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<MachineView>(ct))!;
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"after {Bound.TotalSeconds} s the cloud shows no machine {machine}\n{slice.Logs()}");
    }

    /// <summary>One slice and one browser for the class; the administrator signs in once (a code is good once) and every test opens its pages in that session.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private Slice? _slice;
        private Browser? _browser;
        private IBrowserContext? _session;

        internal Slice Slice => _slice ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            _slice = await Slice.StartAsync(ct);
            await _slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);
            _browser = await Browser.LaunchAsync();
            var page = await _browser.NewPageAsync(_slice.Cloud!.BaseAddress);
            // The code the set-up used is spent: sign in with one of a later 30 s step.
            while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 <= _slice.AdminTotpUsedAt.ToUnixTimeSeconds() / 30)
            {
                await Task.Delay(250, ct);
            }

            await Browser.SignInAsync(page, "admin", _slice.AdminPassword, _slice.AdminTotpKey);
            _session = page.Context;
        }

        public Task<IPage> NewPageAsync() => _session!.NewPageAsync();

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
}
