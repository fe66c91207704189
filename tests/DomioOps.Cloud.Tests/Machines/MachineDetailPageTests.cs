using System.Net;

using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Security;
using DomioOps.Models.Wire;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The machine page as the real host prerenders it: everything on it for a person, and the same "no such machine" (with
/// 404) for an id nobody reported and for a machine a terminal is not bound to.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class MachineDetailPageTests(SecureCloud cloud)
{
    [Fact]
    public async Task Get_MachineThatReported_PrerenderedWithItsValuesTimelinesAlarmsAndEnergy()
    {
        var ct = TestContext.Current.CancellationToken;
        await ReportAsync("saw-page", "edge-page");
        using var admin = await cloud.AdminAsync(ct);

        using var response = await admin.GetAsync(new Uri("machines/saw-page", UriKind.Relative), ct);
        var html = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>saw-page</h1>", html, StringComparison.Ordinal);
        Assert.Contains("data-signal=\"PieceCounter\"", html, StringComparison.Ordinal);
        Assert.Contains("42 pcs", html, StringComparison.Ordinal);
        Assert.Contains("12.5 A", html, StringComparison.Ordinal);
        Assert.Contains("id=\"timeline-shift\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"timeline-day\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"trend\"", html, StringComparison.Ordinal);
        Assert.Contains("No energy meter measures this machine.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("rzi", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_MachineWithAMeter_LinksToTheMeter()
    {
        var ct = TestContext.Current.CancellationToken;
        await ReportAsync("router-page", "edge-page");
        await ReportAsync("meter-router-page", "edge-page", Signal.Energy);
        using var admin = await cloud.AdminAsync(ct);

        var machine = await admin.GetStringAsync(new Uri("machines/router-page", UriKind.Relative), ct);
        var meter = await admin.GetStringAsync(new Uri("machines/meter-router-page", UriKind.Relative), ct);

        Assert.Contains("<a href=\"/machines/meter-router-page\">meter-router-page</a>", machine, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/machines/router-page\">router-page</a>", meter, StringComparison.Ordinal);
        Assert.Contains("id=\"energy\"", meter, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-machine")]
    [InlineData("bad id!")]
    public async Task Get_UnknownMachine_NoSuchMachineWith404(string id)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);

        using var response = await admin.GetAsync(new Uri("machines/" + Uri.EscapeDataString(id), UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("id=\"no-such-machine\"", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TerminalBoundToAnotherMachine_NoSuchMachineWith404()
    {
        var ct = TestContext.Current.CancellationToken;
        await ReportAsync("saw-elsewhere", "edge-elsewhere");
        using var admin = await cloud.AdminAsync(ct);
        var (terminal, _) = await cloud.TerminalClientAsync(admin, "saw-bound", ct);
        using (terminal)
        {
            await ReportAsync("saw-bound", "edge-bound");

            using var other = await terminal.GetAsync(new Uri("machines/saw-elsewhere", UriKind.Relative), ct);
            using var own = await terminal.GetAsync(new Uri("machines/saw-bound", UriKind.Relative), ct);

            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Contains("id=\"no-such-machine\"", await other.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
    }

    /// <summary>The machine reports, as an edge's samples reach its grain.</summary>
    private async Task ReportAsync(string machine, string edge, Signal extra = Signal.BladeMotorCurrent)
    {
        var now = DateTimeOffset.UtcNow;
        var grains = cloud.App.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IMachineGrain>(machine).Apply("plant-page", edge,
        [
            new MachineSample(1, Signal.MachineState, now, 3, null),
            new MachineSample(2, Signal.PieceCounter, now, 42, null),
            new MachineSample(3, extra, now, 12.5, null),
        ]);
    }
}
