using System.Security.Claims;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Ingestion;
using DomioOps.Models.Wire;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The board against one silo on a real PostgreSQL: energy today from the history's readings at the plant's midnight, and a
/// board loaded from the grains. The plant is in Moscow (UTC+3 all year), so its midnight is 21:00 UTC the day before and a
/// query that took the UTC midnight would read other samples. The day is yesterday (UTC), inside the history's retention.
/// </summary>
public sealed class MachineBoardHistoryTests(CloudHost cloud) : IClassFixture<CloudHost>
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    /// <summary>00:00 in Moscow of yesterday (UTC), as a UTC instant.</summary>
    private static readonly DateTimeOffset Midnight = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero).AddHours(-3);

    /// <summary>13:00 in Moscow that day.</summary>
    private static readonly DateTimeOffset Now = Midnight.AddHours(13);

    private static int s_sequence;

    [Fact]
    public async Task ReadAsync_ReadingsBeforeAndAfterMidnight_LastBeforeMidnight()
    {
        await AppendAsync("meter-last", Signal.Energy, (Midnight.AddHours(-1), 90), (Midnight.AddSeconds(-30), 100), (Midnight.AddSeconds(30), 106), (Now.AddSeconds(-30), 112.5));

        var readings = await Energy.ReadAsync(["meter-last"], Midnight, TestContext.Current.CancellationToken);

        Assert.Equal(100, readings["meter-last"]);
    }

    [Fact]
    public async Task ReadAsync_FirstHeardToday_FirstSampleOfTheDay()
    {
        await AppendAsync("meter-new", Signal.Energy, (Midnight.AddHours(2), 50), (Midnight.AddHours(3), 55));

        var readings = await Energy.ReadAsync(["meter-new"], Midnight, TestContext.Current.CancellationToken);

        Assert.Equal(50, readings["meter-new"]);
    }

    [Fact]
    public async Task ReadAsync_SilentLongerThanTheLookbackOrNeverOrOtherSignals_Absent()
    {
        await AppendAsync("meter-old", Signal.Energy, (Midnight - EnergyToday.Lookback - TimeSpan.FromMinutes(1), 10));
        await AppendAsync("meter-power", Signal.Power, (Midnight.AddMinutes(-5), 4), (Midnight.AddMinutes(5), 5));
        await AppendAsync("meter-near", Signal.Energy, (Midnight - EnergyToday.Lookback + TimeSpan.FromMinutes(1), 20));

        var readings = await Energy.ReadAsync(["meter-old", "meter-power", "meter-never", "meter-near"], Midnight, TestContext.Current.CancellationToken);

        Assert.Equal([KeyValuePair.Create("meter-near", 20d)], readings);
    }

    [Fact]
    public async Task LoadAsync_SawAndMeterOfAnOnlineEdge_CardsWithStatePiecesAndEnergyToday()
    {
        var edge = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key("plant-m", "edge-m"));
        await edge.Ingest(
        [
            Sample(1, "saw-m", Signal.MachineState, Now.AddMinutes(-10), 3),
            Sample(2, "saw-m", Signal.PieceCounter, Now.AddMinutes(-9), 40),
            Sample(3, "meter-m", Signal.Energy, Midnight.AddSeconds(-30), 100),
            Sample(4, "meter-m", Signal.Energy, Midnight.AddSeconds(30), 106),
            Sample(5, "saw-m", Signal.PieceCounter, Now.AddSeconds(-30), 42),
            Sample(6, "meter-m", Signal.Power, Now.AddSeconds(-30), 4.25),
            Sample(7, "meter-m", Signal.Energy, Now.AddSeconds(-30), 112.5),
        ]);
        await edge.SetStatus(new EdgeReport(true, 0, Now.AddHours(-1), 0, 0, []));
        var boards = Boards();

        var board = boards.Open(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "planner")], "test")));
        await boards.LoadAsync(board, TestContext.Current.CancellationToken);

        var site = Assert.Single(board.View(Now), s => s.Site == "plant-m");
        var shown = Assert.Single(site.Edges);
        Assert.Equal(("edge-m", true), (shown.Edge, shown.Online));
        Assert.Equal(
            [
                new BoardCard("saw-m", BoardCardKind.Machine, "Working", Now.AddMinutes(-10), TimeSpan.FromMinutes(10), 42, 0, null, null, EdgeOnline: true, Stale: false, LastSeen: null),
                new BoardCard("meter-m", BoardCardKind.Meter, null, null, null, 0, 0, 4.25, 12.5, EdgeOnline: true, Stale: false, LastSeen: null),
            ],
            shown.Groups.Single().Cards);
        Assert.False(boards.NeedsCompleting(board));
    }

    [Fact]
    public async Task LoadAsync_Terminal_ItsMachineOnly()
    {
        var edge = cloud.Grains.GetGrain<IEdgeGrain>(EdgeGrain.Key("plant-t", "edge-t"));
        await edge.Ingest([Sample(1, "saw-t1", Signal.MachineState, Now.AddMinutes(-1), 2), Sample(2, "saw-t2", Signal.MachineState, Now.AddMinutes(-1), 3)]);
        var boards = Boards();
        var terminal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(SecurityClaims.CredentialKind, SecurityClaims.TerminalCredential), new Claim(SecurityClaims.WorkCentre, "saw-t2")], "test"));

        var board = boards.Open(terminal);
        await boards.LoadAsync(board, TestContext.Current.CancellationToken);

        var site = Assert.Single(board.View(Now));
        Assert.Equal(("plant-t", "saw-t2", "Working"), (site.Site, site.Edges.Single().Groups.Single().Cards.Single().Id, site.Edges.Single().Groups.Single().Cards.Single().State));
    }

    private EnergyToday Energy => cloud.Services.GetRequiredService<EnergyToday>();

    private MachineBoard Boards() =>
        new(cloud.Grains, Energy, Options.Create(new MachinesOptions { TimeZone = "Europe/Moscow" }), new FakeTimeProvider(Now));

    private static EdgeSample Sample(ulong sequence, string machine, Signal signal, DateTimeOffset at, double value) =>
        new(machine, new MachineSample(sequence, signal, at, value, null));

    /// <summary>Samples of one machine and signal straight into the history, as one edge of their own.</summary>
    private async Task AppendAsync(string machine, Signal signal, params (DateTimeOffset At, double Value)[] samples)
    {
        var history = cloud.Services.GetRequiredService<TelemetryHistory>();
        await history.AppendAsync(
            EdgeGrain.Key("plant-h", machine),
            [.. samples.Select(s => Sample((ulong)Interlocked.Increment(ref s_sequence), machine, signal, s.At, s.Value))],
            TestContext.Current.CancellationToken);
    }
}
