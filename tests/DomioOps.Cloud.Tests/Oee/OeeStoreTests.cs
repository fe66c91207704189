using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using static DomioOps.Cloud.Tests.Oee.OeeCloud;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>OEE kept from the history on the real host and PostgreSQL: stored per machine and shift, recomputed exactly when samples come late, summed per work centre, order, day.</summary>
public sealed class OeeStoreTests(OeeCloud cloud) : IClassFixture<OeeCloud>
{
    private static readonly TimeSpan Shift2Planned = TimeSpan.FromMinutes(450);

    /// <summary>Working from before the shift, Error 10:00-10:30, standby after it; counter 1000 (before), 1100, 1250.</summary>
    private static (DomioOps.Models.Wire.Signal, double, DateTimeOffset)[] ADay(int daysAgo) =>
    [
        State(MachineState.Working, DaysAgo(daysAgo, 7)),
        Counter(1000, DaysAgo(daysAgo, 7, 30)),
        Counter(1100, DaysAgo(daysAgo, 9)),
        State(MachineState.Error, DaysAgo(daysAgo, 10)),
        State(MachineState.Working, DaysAgo(daysAgo, 10, 30)),
        Counter(1250, DaysAgo(daysAgo, 14)),
        State(MachineState.Standby, DaysAgo(daysAgo, 16, 30)),
    ];

    [Fact]
    public async Task RunOnce_SamplesOfAShift_StoresItsTimeElements()
    {
        await cloud.ThreeShiftsAsync();
        await cloud.HistoryAsync("oee-a", ADay(1));
        var expected = new OeeFigures(Shift2Planned, TimeSpan.FromMinutes(420), TimeSpan.Zero, TimeSpan.FromMinutes(30), 250, 0, TimeSpan.FromSeconds(2500));

        var stored = await cloud.StoredWhenAsync("oee-a", DaysAgo(1, 8), f => f == expected);

        Assert.Equal(expected, stored);
        var rows = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.Machine, OeePeriod.Shift, DaysAgo(1, 0), DaysAgo(0, 0), "oee-a", TestContext.Current.CancellationToken));
        Assert.Equal(["1", "2", "3"], rows.Select(r => r.Label[^1..]));
        Assert.Equal(expected, rows[1].Figures);
        Assert.Equal((TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(450)), (rows[2].Figures.RunTime, rows[2].Figures.DelayTime)); // working to 16:30, standby after
    }

    [Fact]
    public async Task RunOnce_LateSamples_RecomputeTheShiftExactly()
    {
        await cloud.ThreeShiftsAsync();
        await cloud.HistoryAsync("oee-b", ADay(1));
        await cloud.StoredWhenAsync("oee-b", DaysAgo(1, 8), f => f?.Pieces == 250);

        // An edge that was offline delivers now: a stop 13:00-13:20 and a counter that was reset at 15:00.
        await cloud.HistoryAsync("oee-b", State(MachineState.Error, DaysAgo(1, 13)), State(MachineState.Working, DaysAgo(1, 13, 20)), Counter(5, DaysAgo(1, 15)));
        var expected = new OeeFigures(Shift2Planned, TimeSpan.FromMinutes(400), TimeSpan.Zero, TimeSpan.FromMinutes(50), 255, 0, TimeSpan.FromSeconds(2550));

        var stored = await cloud.StoredWhenAsync("oee-b", DaysAgo(1, 8), f => f == expected);

        Assert.Equal(expected, stored);
        // Exactly what a computation from scratch gives.
        var shifts = cloud.App.Services.GetRequiredService<OeeShifts>();
        var plan = (await shifts.PlansAsync(TestContext.Current.CancellationToken)).Single(p => p.MachineId == "oee-b");
        var shift = shifts.Occurrences(plan, DaysAgo(1, 9), DaysAgo(1, 10)).Single();
        Assert.Equal(stored, (await shifts.ComputeAsync(plan, shift, shift.Span.To, TestContext.Current.CancellationToken)).Total);
    }

    [Fact]
    public async Task PlanMaintenance_InAStoredShift_IsCutFromItsPlannedTime()
    {
        await cloud.ThreeShiftsAsync();
        await cloud.HistoryAsync("oee-d", State(MachineState.Working, DaysAgo(4, 7)), State(MachineState.Offline, DaysAgo(4, 9)), State(MachineState.Working, DaysAgo(4, 10)));
        await cloud.StoredWhenAsync("oee-d", DaysAgo(4, 8), f => f?.DownTime == TimeSpan.FromHours(1));

        var (window, problem) = await cloud.App.Services.GetRequiredService<MaintenanceWindows>()
            .PlanAsync(AuditActor.System, new MaintenanceDraft("oee-d", DaysAgo(4, 9), DaysAgo(4, 10), "spindle"), TestContext.Current.CancellationToken);
        Assert.True(window is not null, problem);
        var expected = new OeeFigures(Shift2Planned - TimeSpan.FromHours(1), Shift2Planned - TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.Zero, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, await cloud.StoredWhenAsync("oee-d", DaysAgo(4, 8), f => f == expected));
        Assert.Equal(1.0, expected.Availability);
    }

    [Fact]
    public async Task Rows_WorkCentreOrderAndDay_SumMachinesAndTheOrdersRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.ThreeShiftsAsync();
        var order = await cloud.CreateOrderAsync($"OEE-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Door", 10));
        var operation = order.Parts[0].Operations[0]; // at the saw, 20 s a piece
        await cloud.QueryAsync(async db =>
        {
            db.OperationRuns.Add(new OperationRun { OperationId = operation.Id, OrderId = order.Id, MachineId = "oee-c", From = DaysAgo(2, 9), To = DaysAgo(2, 11) });
            return await db.SaveChangesAsync(ct);
        });
        await cloud.HistoryAsync("oee-c", State(MachineState.Working, DaysAgo(2, 7)), Counter(0, DaysAgo(2, 7)), Counter(300, DaysAgo(2, 10)), Counter(1000, DaysAgo(2, 15)));
        await cloud.HistoryAsync("oee-d", State(MachineState.Ready, DaysAgo(2, 7)));
        await cloud.StoredWhenAsync("oee-c", DaysAgo(2, 8), f => f?.Pieces == 300, order.Id);

        var centre = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.WorkCentre, OeePeriod.Shift, DaysAgo(2, 8), DaysAgo(2, 9), "oee", ct));
        var orders = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.Order, OeePeriod.Shift, DaysAgo(2, 0), DaysAgo(1, 0), order.Number, ct));
        var day = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.WorkCentre, OeePeriod.Day, DaysAgo(2, 0), DaysAgo(1, 0), "oee", ct));

        var shift = Assert.Single(centre);
        Assert.Equal(("oee", "OEE line"), (shift.Key, shift.Name));
        Assert.Equal(4 * Shift2Planned, shift.Figures.PlannedTime);
        Assert.Equal((Shift2Planned, Shift2Planned, 1000L), (shift.Figures.RunTime, shift.Figures.DelayTime, shift.Figures.Pieces));
        Assert.Equal(TimeSpan.FromSeconds((300 * 20) + (700 * 10)), shift.Figures.IdealTime); // the order's cycle while it ran
        var ran = Assert.Single(orders);
        Assert.Equal((order.Number, TimeSpan.FromHours(2), TimeSpan.FromHours(2), 300L, TimeSpan.FromSeconds(6000)),
            (ran.Key, ran.Figures.PlannedTime, ran.Figures.RunTime, ran.Figures.Pieces, ran.Figures.IdealTime));
        var whole = Assert.Single(day);
        Assert.Equal((DaysAgo(2, 0), DaysAgo(1, 0), DaysAgo(2, 0).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), (whole.From, whole.To, whole.Label));
        Assert.Equal(4 * TimeSpan.FromMinutes(480 + 450 + 480), whole.Figures.PlannedTime);
        Assert.Equal(1000, whole.Figures.Pieces);
    }

    [Fact]
    public async Task Terminal_ScrapReportedAndCorrected_QualityOfTheOpenShiftFollows()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.ThreeShiftsAsync();
        var now = DateTimeOffset.UtcNow;
        var current = OeeCloud.ThreeShifts.Shifts
            .SelectMany(s => new[] { -1, 0 }.Select(d => ShiftOccurrences.Occurrence(s, DateOnly.FromDateTime(now.UtcDateTime).AddDays(d), TimeZoneInfo.Utc, [])))
            .Single(o => o.Span.From <= now && now < o.Span.To);
        // Within planned time: shift 2 has a break from 12:00 to 12:30, and pieces made in a break count for nothing.
        var planned = current.Planned.Where(p => p.From <= now).MaxBy(p => p.From)!;
        var end = now < planned.To ? now : planned.To;
        var start = end.AddMinutes(-10) > planned.From ? end.AddMinutes(-10) : planned.From;
        await cloud.HistoryAsync("oee-a", State(MachineState.Working, start), Counter(0, start), Counter(100, start + ((end - start) / 2)));
        var order = await cloud.CreateOrderAsync($"OEE-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Shelf", 100));
        var operationId = await cloud.QueryAsync(async db =>
        {
            var operation = new Operation { OrderId = order.Id, PartId = order.Parts[0].Id, Step = 9, WorkCentreId = "oee", State = OperationState.Ready, Planned = 100, CycleSeconds = 10 };
            db.Operations.Add(operation);
            await db.SaveChangesAsync(ct);
            return operation.Id;
        });
        using var admin = await cloud.AdminAsync(ct);
        using var terminal = (await cloud.TerminalClientAsync(admin, "oee", ct)).Client;

        await ActAsync(terminal, new { kind = "start", operationId, machineId = "oee-a" }, ct);
        await ActAsync(terminal, new { kind = "report", operationId, scrap = 10, scrapReason = "chipped" }, ct);
        var reported = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.Machine, OeePeriod.Shift, current.Span.From, current.Span.To, "oee-a", ct));
        await ActAsync(terminal, new { kind = "report", operationId, scrap = -4, scrapReason = "chipped" }, ct);
        var corrected = await cloud.OeeAsync(q => q.RowsAsync(OeeScope.Machine, OeePeriod.Shift, current.Span.From, current.Span.To, "oee-a", ct));
        await ActAsync(terminal, new { kind = "pause", operationId }, ct);

        Assert.Equal((100L, 10L, 0.90), (reported.Single().Figures.Pieces, reported.Single().Figures.Scrap, Math.Round(reported.Single().Figures.Quality!.Value, 2)));
        Assert.Equal((100L, 6L, 0.94), (corrected.Single().Figures.Pieces, corrected.Single().Figures.Scrap, Math.Round(corrected.Single().Figures.Quality!.Value, 2)));
        var runs = await cloud.QueryAsync(db => db.OperationRuns.Where(r => r.OperationId == operationId).ToListAsync(ct));
        Assert.Equal("oee-a", Assert.Single(runs).MachineId);
        Assert.NotNull(runs[0].To);
        var scrap = await cloud.OeeAsync(q => q.ScrapAsync(current.Span.From, current.Span.To, "oee", ct));
        Assert.Equal(new ScrapLoss("chipped", 6), Assert.Single(scrap));
    }

    [Fact]
    public async Task OeeApi_RowsLossesShiftReportAndExports_Answer()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.ThreeShiftsAsync();
        await cloud.HistoryAsync("oee-d",
            State(MachineState.Working, DaysAgo(3, 8)), State(MachineState.Error, DaysAgo(3, 9)), State(MachineState.Working, DaysAgo(3, 9, 40)),
            State(MachineState.Ready, DaysAgo(3, 11)), State(MachineState.Working, DaysAgo(3, 11, 10)), State(MachineState.Standby, DaysAgo(3, 16)));
        await cloud.QueryAsync(async db =>
        {
            db.Stops.Add(new MachineStop { MachineId = "oee-d", Since = DaysAgo(3, 9), Reason = StopReason.Breakdown, ReportedAt = DaysAgo(3, 9, 5) });
            return await db.SaveChangesAsync(ct);
        });
        // A row another test stored for this shift is recomputed from the samples above (the service's own tick, in the app).
        await cloud.StoredWhenAsync("oee-d", DaysAgo(3, 8), f => f?.RunTime == TimeSpan.FromMinutes(400));
        using var admin = await cloud.AdminAsync(ct);
        using var planner = (await cloud.ApiKeyClientAsync(admin, "Planner", ct)).Client;
        var range = $"from={Iso(DaysAgo(3, 0))}&to={Iso(DaysAgo(2, 0))}";

        var rows = await planner.GetFromJsonAsync<JsonElement>($"api/oee?scope=machine&period=shift&{range}&key=oee-d", ct);
        var downtime = await planner.GetFromJsonAsync<JsonElement>($"api/oee/downtime?{range}&workCentre=oee", ct);
        var scrap = await planner.GetFromJsonAsync<JsonElement>($"api/oee/scrap?{range}&workCentre=oee", ct);
        var report = await planner.GetFromJsonAsync<JsonElement>($"api/oee/shift-report?workCentre=oee&at={Iso(DaysAgo(3, 10))}", ct);
        using var csv = await planner.GetAsync(new Uri($"api/oee/export.csv?scope=work-centre&period=day&{range}", UriKind.Relative), ct);
        using var xlsx = await planner.GetAsync(new Uri($"api/oee/export.xlsx?scope=machine&period=week&{range}", UriKind.Relative), ct);
        using var bad = await planner.GetAsync(new Uri($"api/oee?scope=plant&{range}", UriKind.Relative), ct);

        Assert.Equal(3, rows.GetArrayLength());
        var shift2 = rows[1];
        Assert.Equal(("oee-d", "06:40:00", "07:30:00"), (shift2.GetProperty("key").GetString(), shift2.GetProperty("figures").GetProperty("runTime").GetString(),
            shift2.GetProperty("figures").GetProperty("plannedTime").GetString()));
        Assert.Equal(0.8889, Math.Round(shift2.GetProperty("figures").GetProperty("availability").GetDouble(), 4));
        var losses = downtime.EnumerateArray().ToDictionary(l => l.GetProperty("reason").GetString()!);
        Assert.Equal(("00:40:00", 1), (losses["breakdown"].GetProperty("time").GetString(), losses["breakdown"].GetProperty("stops").GetInt32()));
        Assert.True(losses.ContainsKey(OeeQuery.Unexplained));
        Assert.Equal(JsonValueKind.Array, scrap.ValueKind);
        Assert.Equal(($"{DaysAgo(3, 0):yyyy-MM-dd} shift 2", 4), (report.GetProperty("label").GetString(), report.GetProperty("machines").GetArrayLength()));
        Assert.Equal("1.06:00:00", report.GetProperty("total").GetProperty("plannedTime").GetString());
        // One computation: the report's machine is the dashboard's row, and its stops add up to its delay and down time.
        Assert.Equal(shift2.GetProperty("figures").GetRawText(), report.GetProperty("machines").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "oee-d").GetProperty("figures").GetRawText());
        var total = report.GetProperty("total");
        Assert.Equal(Time(total.GetProperty("delayTime")) + Time(total.GetProperty("downTime")),
            TimeSpan.FromTicks(report.GetProperty("downtime").EnumerateArray().Sum(l => Time(l.GetProperty("time")).Ticks)));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync(ct);
        Assert.Contains("OEE %", text, StringComparison.Ordinal);
        Assert.Contains("OEE line", text, StringComparison.Ordinal);
        Assert.Equal("PK"u8.ToArray(), (await xlsx.Content.ReadAsByteArrayAsync(ct))[..2]);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static TimeSpan Time(JsonElement value) => TimeSpan.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ActAsync(HttpClient terminal, object action, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToElement(action, JsonSerializerOptions.Web).Deserialize<Dictionary<string, object?>>()!;
        body["key"] = Guid.NewGuid();
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions", body, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
    }
}
