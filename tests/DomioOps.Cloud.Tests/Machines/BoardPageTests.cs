using System.Text.RegularExpressions;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Security;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The machines board in Debian's Chromium against the real host on real PostgreSQL, fed through the edge grains as
/// ingestion feeds them: a working saw and an energy meter on an online edge, a machine on an edge gone offline. What a
/// planner sees: the meter as a meter, the stale machine greyed with "last seen", changes live; axe on it all.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class BoardPageTests(SecureCloud cloud) : IAsyncLifetime
{
    private const string Site = "plant-board";
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Board_SawMeterAndAMachineOfAnOfflineEdge_MeterAsMeterStaleGreyedChangesLive()
    {
        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await Browser.SignInAsync(page, userName, password);

        // Fed once the planner is signed in: the saw's last sample is seconds old when the board opens.
        var now = DateTimeOffset.UtcNow;
        var midnight = EnergyToday.Midnight(now, TimeZoneInfo.Local);
        var online = Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, "edge-live"));
        await online.Ingest(
        [
            Sample(1, "saw-board", Signal.MachineState, now.AddMinutes(-3), 3),
            Sample(2, "saw-board", Signal.PieceCounter, now.AddSeconds(-2), 10),
            Sample(3, "meter-board", Signal.Energy, midnight.AddMinutes(-1), 100),
            Sample(4, "meter-board", Signal.Power, now.AddSeconds(-2), 4.2),
            Sample(5, "meter-board", Signal.Energy, now.AddSeconds(-2), 112.5),
        ]);
        await online.SetStatus(new EdgeReport(true, 0, now.AddMinutes(-5), 0, 0, []));
        var offline = Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key(Site, "edge-gone"));
        await offline.Ingest([Sample(1, "cnc-board", Signal.MachineState, now.AddMinutes(-20), 4), Sample(2, "cnc-board", Signal.Alarm, now.AddMinutes(-20), 17)]);
        await offline.SetStatus(new EdgeReport(false, 0, now.AddMinutes(-10), 0, 0, []));
        await page.GotoAsync("/machines");

        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-live", "connected");
        var saw = page.Locator("[data-machine=\"saw-board\"]");
        await Assertions.Expect(saw).ToHaveAttributeAsync("data-state", "Working");
        await Assertions.Expect(saw).ToHaveAttributeAsync("data-stale", "false");
        await Assertions.Expect(saw.Locator(".pieces")).ToHaveTextAsync("10");
        await Assertions.Expect(saw.Locator(".in-state")).ToHaveTextAsync(new Regex("^3 min [0-9]{2} s$"));
        var meter = page.Locator("[data-machine=\"meter-board\"]");
        await Assertions.Expect(meter).ToHaveAttributeAsync("data-kind", "meter");
        await Assertions.Expect(meter.Locator(".power")).ToHaveTextAsync("4.2 kW");
        await Assertions.Expect(meter.Locator(".energy-today")).ToHaveTextAsync("12.5 kWh");
        await Assertions.Expect(meter.Locator(".state, .pieces")).ToHaveCountAsync(0);
        var cnc = page.Locator("[data-machine=\"cnc-board\"]");
        await Assertions.Expect(cnc).ToHaveAttributeAsync("data-stale", "true");
        await Assertions.Expect(cnc).ToHaveAttributeAsync("data-state", "Error");
        await Assertions.Expect(cnc.Locator(".alarm")).ToHaveTextAsync("17");
        await Assertions.Expect(cnc.Locator(".last-seen")).ToHaveTextAsync(new Regex("^Stale: last seen 20 min [0-9]{2} s ago$"));
        await Assertions.Expect(page.Locator($"[data-edge=\"{Site}/edge-gone\"] .edge-status")).ToHaveTextAsync(new Regex("^offline for 10 min"));
        await Assertions.Expect(page.Locator("a[href=\"/machines/saw-board\"]")).ToHaveTextAsync("saw-board");
        await Browser.AssertAccessibleAsync(page);

        // The saw cuts two more pieces and the meter counts on: the page shows it without being asked.
        await online.Ingest([Sample(6, "saw-board", Signal.PieceCounter, DateTimeOffset.UtcNow, 12), Sample(7, "meter-board", Signal.Energy, DateTimeOffset.UtcNow, 113.5)]);
        await Assertions.Expect(saw.Locator(".pieces")).ToHaveTextAsync("12");
        await Assertions.Expect(meter.Locator(".energy-today")).ToHaveTextAsync("13.5 kWh");

        // The offline edge comes back and its machine reports: no longer stale.
        await offline.SetStatus(new EdgeReport(true, 0, DateTimeOffset.UtcNow, 0, 0, []));
        await offline.Ingest([Sample(3, "cnc-board", Signal.MachineState, DateTimeOffset.UtcNow, 2)]);
        await Assertions.Expect(cnc).ToHaveAttributeAsync("data-stale", "false");
        await Assertions.Expect(cnc).ToHaveAttributeAsync("data-state", "Ready");
        await Assertions.Expect(cnc.Locator(".last-seen")).ToHaveCountAsync(0);
    }

    private IGrainFactory Grains => cloud.App.Services.GetRequiredService<IGrainFactory>();

    private static EdgeSample Sample(ulong sequence, string machine, Signal signal, DateTimeOffset at, double value) =>
        new(machine, new MachineSample(sequence, signal, at, value, null));
}
