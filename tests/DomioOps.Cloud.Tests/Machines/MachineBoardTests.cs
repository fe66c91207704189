using System.Security.Claims;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Security;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The board's rules without a cluster: what a card is, when it is stale, energy today and the plant's midnight, and how a
/// page's board merges snapshots and changes into sites, edges and cards. Times are fixed instants.
/// </summary>
public sealed class MachineBoardTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);
    private static readonly ClaimsPrincipal Person = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "planner")], "test"));

    [Fact]
    public void Classify_PowerAndEnergyWithoutState_Meter()
    {
        Assert.Equal(BoardCardKind.Meter, MachineBoard.Classify(Snapshot("meter-1", ("Power", 4.2), ("Energy", 100))));
        Assert.Equal(BoardCardKind.Meter, MachineBoard.Classify(Snapshot("meter-2", ("Energy", 100), ("Voltage", 230))));
    }

    [Fact]
    public void Classify_StateBesidePower_Machine()
    {
        // A machine with a meter of its own is a machine.
        Assert.Equal(BoardCardKind.Machine, MachineBoard.Classify(Snapshot("cnc-1", ("MachineState", 3), ("Power", 24), ("Energy", 5))));
    }

    [Fact]
    public void Classify_NeitherStateNorEnergy_Machine()
    {
        Assert.Equal(BoardCardKind.Machine, MachineBoard.Classify(Snapshot("counter-1", ("PieceCounter", 7))));
        Assert.Equal(BoardCardKind.Machine, MachineBoard.Classify(Snapshot("silent-1")));
    }

    [Theory]
    [InlineData(true, 0, false)]
    [InlineData(true, 60, false)]
    [InlineData(true, 61, true)]
    [InlineData(false, 0, true)]
    public void IsStale_EdgeAndAgeOfLastSample_StaleWhenOfflineOrOlderThanThreshold(bool edgeOnline, int secondsAgo, bool stale)
    {
        Assert.Equal(stale, MachineBoard.IsStale(Now.AddSeconds(-secondsAgo), edgeOnline, Now, StaleAfter));
    }

    [Fact]
    public void IsStale_NeverASample_Stale()
    {
        Assert.True(MachineBoard.IsStale(null, edgeOnline: true, Now, StaleAfter));
    }

    [Theory]
    [InlineData(112.5, 100.0, 12.5)]
    [InlineData(100.0, 100.0, 0.0)]
    [InlineData(3.0, 100.0, 3.0)]
    public void Since_CounterAndReadingAtMidnight_EnergyToday(double counter, double atMidnight, double today)
    {
        Assert.Equal(today, EnergyToday.Since(counter, atMidnight));
    }

    [Fact]
    public void Since_EitherUnknown_Null()
    {
        Assert.Null(EnergyToday.Since(null, 100));
        Assert.Null(EnergyToday.Since(112.5, null));
    }

    [Theory]
    [InlineData("2026-03-10T08:00:00Z", "2026-03-09T21:00:00Z")]
    [InlineData("2026-03-09T21:00:00Z", "2026-03-09T21:00:00Z")]
    [InlineData("2026-03-09T20:59:59Z", "2026-03-08T21:00:00Z")]
    public void Midnight_Moscow_StartOfTheLocalDay(string now, string midnight)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

        Assert.Equal(DateTimeOffset.Parse(midnight, System.Globalization.CultureInfo.InvariantCulture), EnergyToday.Midnight(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), zone));
    }

    [Fact]
    public void Midnight_ClocksSkipMidnight_WhenTheyResume()
    {
        // Chile, 8 September 2024: at 00:00 (-04) the clocks went to 01:00 (-03), which is 04:00 UTC (tzdata).
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");

        Assert.Equal(new DateTimeOffset(2024, 9, 8, 4, 0, 0, TimeSpan.Zero), EnergyToday.Midnight(new DateTimeOffset(2024, 9, 8, 15, 0, 0, TimeSpan.Zero), zone));
    }

    [Fact]
    public void Midnight_MidnightTwice_TheFirst()
    {
        // Cuba, 3 November 2024: at 01:00 (-04) the clocks went back to 00:00 (-05); the day began at 00:00 -04, 04:00 UTC (tzdata).
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Havana");

        Assert.Equal(new DateTimeOffset(2024, 11, 3, 4, 0, 0, TimeSpan.Zero), EnergyToday.Midnight(new DateTimeOffset(2024, 11, 3, 12, 0, 0, TimeSpan.Zero), zone));
    }

    [Fact]
    public void View_MachinesOfTwoSites_GroupedBySiteThenEdgeMachinesBeforeMeters()
    {
        var board = Board();
        board.Apply(Snapshot("saw-2", ("MachineState", 3)) with { Site = "plant-b", Edge = "edge-1" }, Now);
        board.Apply(Snapshot("meter-1", ("Power", 4), ("Energy", 10)), Now);
        board.Apply(Snapshot("saw-1", ("MachineState", 3)), Now);
        board.Apply(Snapshot("cnc-1", ("MachineState", 2)) with { Edge = "edge-2" }, Now);
        board.Register("plant-a", "edge-3");

        var view = board.View(Now);

        Assert.Equal(["plant-a", "plant-b"], view.Select(s => s.Site));
        Assert.Equal(["edge-1", "edge-2", "edge-3"], view[0].Edges.Select(e => e.Edge));
        var group = Assert.Single(view[0].Edges[0].Groups);
        Assert.Null(group.WorkCentre);
        Assert.Equal([("saw-1", BoardCardKind.Machine), ("meter-1", BoardCardKind.Meter)], group.Cards.Select(c => (c.Id, c.Kind)));
        Assert.Equal(["cnc-1"], view[0].Edges[1].Groups.SelectMany(g => g.Cards).Select(c => c.Id));
        Assert.Empty(view[0].Edges[2].Groups);
        Assert.Equal(["saw-2"], view[1].Edges.Single().Groups.SelectMany(g => g.Cards).Select(c => c.Id));
    }

    [Fact]
    public void Card_WorkingMachineOnline_StateTimeInStatePiecesAlarm()
    {
        var board = Board();
        board.Apply(Online("plant-a/edge-1"));
        var saw = Snapshot("saw-1", ("MachineState", 3)) with { StateSince = Now.AddMinutes(-5).AddSeconds(-3), PieceCount = 42, ActiveAlarm = 17 };

        var card = board.Card(saw, Now);

        Assert.Equal(new BoardCard("saw-1", BoardCardKind.Machine, "Working", Now.AddSeconds(-303), TimeSpan.FromSeconds(303), 42, 17, null, null, EdgeOnline: true, Stale: false, LastSeen: null), card);
    }

    [Fact]
    public void Card_EdgeOffline_StaleLastSeenAndTimeInStateUpToLastSample()
    {
        var board = Board();
        board.Apply(Online("plant-a/edge-1") with { Online = false });
        var saw = Snapshot("saw-1", ("MachineState", 3)) with { StateSince = Now.AddMinutes(-10), UpdatedAt = Now.AddSeconds(-5) };

        var card = board.Card(saw, Now);

        Assert.Equal((true, false, Now.AddSeconds(-5), TimeSpan.FromSeconds(595)), (card.Stale, card.EdgeOnline, card.LastSeen, card.TimeInState));
    }

    [Fact]
    public void Card_NoSampleForLongerThanStaleAfter_Stale()
    {
        var board = Board();
        board.Apply(Online("plant-a/edge-1"));
        var saw = Snapshot("saw-1", ("MachineState", 3)) with { UpdatedAt = Now.AddSeconds(-61) };

        Assert.Equal((true, Now.AddSeconds(-61)), (board.Card(saw, Now).Stale, board.Card(saw, Now).LastSeen));
        Assert.False(board.Card(saw with { UpdatedAt = Now.AddSeconds(-60) }, Now).Stale);
    }

    [Fact]
    public void Card_EdgeNeverHeardOf_Stale()
    {
        Assert.True(Board().Card(Snapshot("saw-1", ("MachineState", 3)), Now).Stale);
    }

    [Fact]
    public void Card_Meter_PowerAndEnergySinceTheReadingAtMidnight()
    {
        var board = Board();
        board.Apply(Online("plant-a/edge-1"));
        var meter = Snapshot("meter-1", ("Power", 4.25), ("Energy", 112.5));
        board.Apply(meter, Now);
        Assert.Null(board.Card(meter, Now).EnergyTodayKwh);

        board.SetReadings(Midnight, ["meter-1"], new Dictionary<string, double> { ["meter-1"] = 100 }, Now);

        Assert.Equal(new BoardCard("meter-1", BoardCardKind.Meter, null, null, null, 0, 0, 4.25, 12.5, EdgeOnline: true, Stale: false, LastSeen: null), board.Card(meter, Now));
    }

    [Fact]
    public void Card_MachineReportingNoState_NoStateNorTimeInState()
    {
        var card = Board().Card(Snapshot("counter-1", ("PieceCounter", 7)) with { PieceCount = 7 }, Now);

        Assert.Equal((null, null, null, 7L), (card.State, card.StateSince, card.TimeInState, card.Pieces));
    }

    [Fact]
    public void Apply_OlderSnapshotAfterNewer_NewerStays()
    {
        var board = Board();
        var newer = Snapshot("saw-1", ("MachineState", 3)) with { PieceCount = 9, UpdatedAt = Now };
        Assert.True(board.Apply(newer, Now));

        Assert.False(board.Apply(newer with { PieceCount = 8, UpdatedAt = Now.AddSeconds(-1) }, Now));

        Assert.Equal(9, board.View(Now).Single().Edges.Single().Groups.Single().Cards.Single().Pieces);
    }

    [Fact]
    public void Apply_ChangeOfASignalNoCardShows_NotARender()
    {
        var board = Board();
        board.Apply(Online("plant-a/edge-1"));
        var saw = Snapshot("saw-1", ("MachineState", 3), ("SpindleLoad", 40));
        board.Apply(saw, Now);

        Assert.False(board.Apply(saw with { Signals = Signals(("MachineState", 3), ("SpindleLoad", 41)), UpdatedAt = Now.AddSeconds(1) }, Now));
        Assert.True(board.Apply(saw with { PieceCount = 1, UpdatedAt = Now.AddSeconds(2) }, Now));
    }

    [Fact]
    public void Knows_MachineHeardOnAnotherEdge_NotUntilApplied()
    {
        var board = Board();
        var saw = Snapshot("saw-1", ("MachineState", 3));
        Assert.False(board.Knows(saw));
        board.Apply(saw, Now);
        Assert.True(board.Knows(saw with { PieceCount = 3 }));

        Assert.False(board.Knows(saw with { Edge = "edge-2" }));
    }

    [Fact]
    public void Apply_EdgeOlderReport_NewerStays()
    {
        var board = Board();
        Assert.True(board.Apply(Online("plant-a/edge-1")));

        Assert.False(board.Apply(Online("plant-a/edge-1") with { Online = false, LastSeen = Now.AddMinutes(-31) }));

        Assert.True(board.Card(Snapshot("saw-1", ("MachineState", 3)), Now).EdgeOnline);
    }

    [Fact]
    public void Apply_TerminalBoundToAMachine_SeesThatMachineAndItsEdgeOnly()
    {
        var terminal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(SecurityClaims.CredentialKind, SecurityClaims.TerminalCredential), new Claim(SecurityClaims.WorkCentre, "saw-1")], "test"));
        var board = new LiveBoard(terminal, StaleAfter, TimeZoneInfo.Utc);

        Assert.True(board.Apply(Snapshot("saw-1", ("MachineState", 3)), Now));
        Assert.False(board.Apply(Snapshot("saw-2", ("MachineState", 3)), Now));
        Assert.False(board.Apply(Snapshot("cnc-1", ("MachineState", 3)) with { Edge = "edge-2" }, Now));
        Assert.True(board.Apply(Online("plant-a/edge-1")));
        Assert.False(board.Apply(Online("plant-a/edge-2")));
        board.Register("plant-a", "edge-3");

        var edge = Assert.Single(Assert.Single(board.View(Now)).Edges);
        Assert.Equal(("edge-1", true, "saw-1"), (edge.Edge, edge.Online, edge.Groups.Single().Cards.Single().Id));
    }

    [Fact]
    public void UnknownEdges_MachinesAndRegisteredEdgesWithoutSnapshot_Listed()
    {
        var board = Board();
        board.Apply(Snapshot("saw-1", ("MachineState", 3)), Now);
        board.Apply(Snapshot("cnc-1", ("MachineState", 3)) with { Edge = "edge-2" }, Now);
        board.Register("plant-b", "edge-9");
        board.Apply(Online("plant-a/edge-2"));

        Assert.Equal([("plant-a", "edge-1"), ("plant-b", "edge-9")], board.UnknownEdges().Order());
    }

    [Fact]
    public void ReadingsDue_UnansweredMeter_AskedAgainOnlyAfterTheRetry()
    {
        var board = Board();
        board.Apply(Snapshot("meter-1", ("Energy", 10)), Now);
        board.Apply(Snapshot("meter-2", ("Energy", 20)), Now);
        var midnight = Midnight;
        Assert.Equal((midnight, "meter-1,meter-2"), Due(board, Now));

        board.SetReadings(midnight, ["meter-1", "meter-2"], new Dictionary<string, double> { ["meter-1"] = 5 }, Now);

        Assert.Equal((midnight, ""), Due(board, Now.AddSeconds(59)));
        Assert.Equal((midnight, "meter-2"), Due(board, Now.AddSeconds(60)));
        board.Apply(Snapshot("meter-3", ("Power", 1)), Now);
        Assert.Equal((midnight, "meter-3"), Due(board, Now.AddSeconds(1)));
    }

    [Fact]
    public void ReadingsDue_DayTurned_EveryMeterAgainFromTheNewMidnight()
    {
        var board = Board();
        board.Apply(Snapshot("meter-1", ("Energy", 10)), Now);
        board.SetReadings(Midnight, ["meter-1"], new Dictionary<string, double> { ["meter-1"] = 5 }, Now);
        var tomorrow = new DateTimeOffset(2026, 3, 11, 0, 0, 1, TimeSpan.Zero);
        Assert.False(board.DayTurned(tomorrow.AddSeconds(-2)));

        Assert.True(board.DayTurned(tomorrow));
        Assert.Equal((new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), "meter-1"), Due(board, tomorrow));
    }

    [Fact]
    public void Restore_SeedOfAnotherBoard_SameViewWithoutTheSignalsNoCardShows()
    {
        var prerendered = Board();
        prerendered.Apply(Online("plant-a/edge-1"));
        prerendered.Apply(Snapshot("saw-1", ("MachineState", 3), ("SpindleLoad", 40)) with { PieceCount = 5, StateSince = Now.AddMinutes(-1) }, Now);
        prerendered.Apply(Snapshot("meter-1", ("Power", 4), ("Energy", 110), ("Voltage", 230)), Now);
        prerendered.Register("plant-a", "edge-3");
        prerendered.Apply(Online("plant-a/edge-3") with { Online = false, LastSeen = null });
        prerendered.SetReadings(Midnight, ["meter-1"], new Dictionary<string, double> { ["meter-1"] = 100 }, Now);
        var seed = prerendered.Seed();

        var live = Board();
        live.Restore(System.Text.Json.JsonSerializer.Deserialize<BoardSeed>(System.Text.Json.JsonSerializer.Serialize(seed))!, Now);

        Assert.Equal(Flatten(prerendered.View(Now)), Flatten(live.View(Now)));
        Assert.Equal(Edges(prerendered.View(Now)), Edges(live.View(Now)));
        Assert.Equal(["Energy", "MachineState", "Power"], seed.Machines.SelectMany(m => m.Signals.Keys).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(live.UnknownEdges());
        Assert.Empty(live.ReadingsDue(Now).Meters);
    }

    [Fact]
    public void Validate_TimeZoneUnknown_FailsNamingTheKey()
    {
        var result = new MachinesOptionsValidator().Validate(null, new MachinesOptions { TimeZone = "Mars/Olympus_Mons" });

        Assert.True(result.Failed);
        Assert.StartsWith("Machines:TimeZone 'Mars/Olympus_Mons' is not a time zone this host knows", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Europe/Moscow")]
    public void Validate_TimeZoneEmptyOrKnown_Succeeds(string? zone)
    {
        Assert.True(new MachinesOptionsValidator().Validate(null, new MachinesOptions { TimeZone = zone }).Succeeded);
    }

    [Theory]
    [InlineData("00:00:00", false)]
    [InlineData("00:00:01", true)]
    [InlineData("00:01:00", true)]
    [InlineData("1.00:00:01", false)]
    public void StaleAfter_Range_ValidatedByAnnotations(string staleAfter, bool valid)
    {
        var options = new MachinesOptions { StaleAfter = TimeSpan.Parse(staleAfter, System.Globalization.CultureInfo.InvariantCulture) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.Equal(valid, System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Equal(60, new MachinesOptions().StaleAfter.TotalSeconds);
    }

    private static LiveBoard Board() => new(Person, StaleAfter, TimeZoneInfo.Utc);

    /// <summary>The midnight and the meters due, in order, comma-separated.</summary>
    private static (DateTimeOffset, string) Due(LiveBoard board, DateTimeOffset now)
    {
        var (midnight, meters) = board.ReadingsDue(now);
        return (midnight, string.Join(",", meters.Order(StringComparer.Ordinal)));
    }

    private static MachineSnapshot Snapshot(string id, params (string Signal, double Value)[] signals) =>
        new(id, "plant-a", "edge-1", signals.Any(s => s.Signal == "MachineState") ? "Working" : "Offline", Now.AddMinutes(-1), 0, Signals(signals), Now);

    private static Dictionary<string, double> Signals(params (string Signal, double Value)[] signals) =>
        signals.ToDictionary(s => s.Signal, s => s.Value, StringComparer.Ordinal);

    private static EdgeSnapshot Online(string id) => new(id, true, 0, 0, 0, 0, Now.AddMinutes(-30));

    private static List<(string, string, bool, DateTimeOffset?)> Edges(IReadOnlyList<BoardSite> sites) =>
        [.. sites.SelectMany(s => s.Edges).Select(e => (e.Site, e.Edge, e.Online, e.LastSeen))];

    private static List<BoardCard> Flatten(IReadOnlyList<BoardSite> sites) =>
        [.. sites.SelectMany(s => s.Edges).SelectMany(e => e.Groups).SelectMany(g => g.Cards)];
}
