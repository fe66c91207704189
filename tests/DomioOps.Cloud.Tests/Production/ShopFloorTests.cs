using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

using DomioOps.Cloud.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>
/// The shop floor through the terminal's API on the real host and PostgreSQL: operations advanced by the machine's own
/// piece counter, quantities confirmed by the operator, every action applied once whatever the replays.
/// </summary>
public sealed class ShopFloorTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task Start_MachineCountsPieces_CountedAdvancesOnlyWhileRunning()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CounterAsync("saw-01", 100); // what the saw made before this job: not the job's
        var order = await cloud.CreateOrderAsync("COUNT-1", ProductionCloud.Panel("Shelf", 10));
        var id = order.Parts[0].Operations[0].Id;
        using var terminal = await TerminalAsync(ct);

        await ActAsync(terminal, new { kind = "start", operationId = id, machineId = "saw-01" }, ct);
        await cloud.CounterAsync("saw-01", 103);
        Assert.Equal(3, (await ViewAsync(terminal, id, ct)).Counted);
        var paused = await ActAsync(terminal, new { kind = "pause", operationId = id }, ct);
        await cloud.CounterAsync("saw-01", 105); // test cuts while paused are not the job's
        var resumed = await ActAsync(terminal, new { kind = "start", operationId = id, machineId = "saw-01" }, ct);
        await cloud.CounterAsync("saw-01", 107);
        var running = await ViewAsync(terminal, id, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = id, good = 5 }, ct);

        Assert.Equal((OperationState.Paused, 3L, (long?)null), (paused.State, paused.CountedClosed, paused.CounterBaseline));
        Assert.Equal((OperationState.Running, 3L, 3L), (resumed.State, resumed.CountedClosed, resumed.Counted));
        Assert.Equal((5L, 0, 0), (running.Counted, running.Good, running.Scrap));
        var report = await cloud.QueryAsync(db => db.Reports.SingleAsync(r => r.OperationId == id, ct));
        Assert.Equal((5, 5L), (report.Good, report.Counted));
    }

    [Fact]
    public async Task Counter_ResetAndEdgeReplay_NeverCountTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("COUNT-2", ProductionCloud.Panel("Side", 20));
        var id = order.Parts[0].Operations[0].Id;
        using var terminal = await TerminalAsync(ct);
        var now = DateTimeOffset.UtcNow;
        await cloud.ReportAsync("saw-01", "edge-r", (1, Signal.PieceCounter, 40, now));
        await ActAsync(terminal, new { kind = "start", operationId = id, machineId = "saw-01" }, ct);

        await cloud.ReportAsync("saw-01", "edge-r", (2, Signal.PieceCounter, 42, now.AddSeconds(1)));
        await cloud.ReportAsync("saw-01", "edge-r", (3, Signal.PieceCounter, 0, now.AddSeconds(2)), (4, Signal.PieceCounter, 3, now.AddSeconds(3))); // power cycle
        // The edge lost its acknowledgement and sends the same samples again.
        await cloud.ReportAsync("saw-01", "edge-r", (2, Signal.PieceCounter, 42, now.AddSeconds(1)), (3, Signal.PieceCounter, 0, now.AddSeconds(2)), (4, Signal.PieceCounter, 3, now.AddSeconds(3)));
        var view = await ViewAsync(terminal, id, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = id, good = 5 }, ct);

        Assert.Equal(5, view.Counted);
    }

    [Fact]
    public async Task Finish_EveryStep_PartMovesOnAndOrderCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("FLOW-1", ProductionCloud.Panel("Door", 4, edge: "ABS 2", program: "door.mpr"));
        var steps = order.Parts[0].Operations.OrderBy(o => o.Step).ToList();
        using var saw = await TerminalAsync(ct, "saw");
        using var edging = await TerminalAsync(ct, "edging");
        using var cnc = await TerminalAsync(ct, "cnc");

        Assert.Equal(["saw", "edging", "cnc"], steps.Select(s => s.WorkCentreId));
        Assert.Equal((HttpStatusCode.Conflict, "The step before it is not finished yet."), await RefusedAsync(edging, new { kind = "start", operationId = steps[1].Id }, ct));
        await ActAsync(saw, new { kind = "start", operationId = steps[0].Id }, ct);
        var sawn = await ActAsync(saw, new { kind = "finish", operationId = steps[0].Id, good = 4 }, ct);
        var queued = await WorkAsync(edging, ct);
        await ActAsync(edging, new { kind = "start", operationId = steps[1].Id }, ct);
        await ActAsync(edging, new { kind = "finish", operationId = steps[1].Id, good = 4 }, ct);
        await ActAsync(cnc, new { kind = "start", operationId = steps[2].Id }, ct);
        Assert.Null(await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == order.Id).Select(o => o.CompletedAt).SingleAsync(ct)));
        await ActAsync(cnc, new { kind = "finish", operationId = steps[2].Id, good = 3, scrap = 1, scrapReason = "chipped" }, ct);

        Assert.Equal((OperationState.Done, 4, "Edgebander"), (sawn.State, sawn.Good, sawn.NextWorkCentreName));
        Assert.Contains(queued.Queue, o => o.Id == steps[1].Id && o.State == OperationState.Ready);
        Assert.NotNull(await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == order.Id).Select(o => o.CompletedAt).SingleAsync(ct)));
    }

    [Fact]
    public async Task Action_SameKeySentTwice_AppliedOnceAndAnsweredTheSame()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("REPLAY-1", ProductionCloud.Panel("Bottom", 8));
        var id = order.Parts[0].Operations[0].Id;
        using var terminal = await TerminalAsync(ct);
        await ActAsync(terminal, new { kind = "start", operationId = id }, ct);
        var key = Guid.NewGuid();

        using var first = await terminal.PostAsJsonAsync("api/terminal/actions", new { key, kind = "report", operationId = id, good = 2 }, ct);
        using var again = await terminal.PostAsJsonAsync("api/terminal/actions", new { key, kind = "report", operationId = id, good = 2 }, ct);
        var view = await ViewAsync(terminal, id, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = id }, ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(2, view.Good);
        Assert.Equal(1, await cloud.QueryAsync(db => db.Reports.CountAsync(r => r.OperationId == id, ct)));
    }

    [Fact]
    public async Task Report_ScrapAndCorrections_CheckedAndKept()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("SCRAP-1", ProductionCloud.Panel("Back", 6));
        var id = order.Parts[0].Operations[0].Id;
        using var terminal = await TerminalAsync(ct);
        var notStarted = await RefusedAsync(terminal, new { kind = "report", operationId = id, good = 1 }, ct);
        await ActAsync(terminal, new { kind = "start", operationId = id }, ct);

        var noReason = await RefusedAsync(terminal, new { kind = "report", operationId = id, scrap = 1 }, ct);
        await ActAsync(terminal, new { kind = "report", operationId = id, good = 4, scrap = 1, scrapReason = "wrong-size" }, ct);
        var belowZero = await RefusedAsync(terminal, new { kind = "report", operationId = id, good = -5 }, ct);
        var corrected = await ActAsync(terminal, new { kind = "report", operationId = id, good = -1 }, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = id }, ct);

        Assert.Equal(HttpStatusCode.Conflict, notStarted.Status);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.StartsWith("scrapReason is required with scrap: one of chipped, wrong-size,", noReason.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, belowZero.Status);
        Assert.Equal((3, 1, 3), (corrected.Good, corrected.Scrap, corrected.Remaining));
        var reasons = await cloud.QueryAsync(db => db.Reports.Where(r => r.OperationId == id).OrderBy(r => r.Id).Select(r => r.ScrapReason).ToListAsync(ct));
        Assert.Equal([ScrapReason.WrongSize, null], reasons);
    }

    [Fact]
    public async Task Start_MachineRunsAnotherOperation_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("BUSY-1", ProductionCloud.Panel("Top", 2), ProductionCloud.Panel("Plinth", 2));
        var first = order.Parts[0].Operations[0].Id;
        var second = order.Parts[1].Operations[0].Id;
        using var terminal = await TerminalAsync(ct);
        await ActAsync(terminal, new { kind = "start", operationId = first }, ct);

        var busy = await RefusedAsync(terminal, new { kind = "start", operationId = second }, ct);
        await ActAsync(terminal, new { kind = "pause", operationId = first }, ct);
        var started = await ActAsync(terminal, new { kind = "start", operationId = second }, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = second }, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = first }, ct);

        Assert.Equal((HttpStatusCode.Conflict, "saw-01 runs another operation: pause or finish it first."), busy);
        Assert.Equal(OperationState.Running, started.State);
    }

    [Fact]
    public async Task StopReason_MachineStoppedLongerThanThreshold_AskedOnceThenStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var since = DateTimeOffset.UtcNow.AddSeconds(-30);
        await cloud.ReportAsync("edgebander-01", "edge-s", (1, Signal.MachineState, (double)MachineState.Working, since.AddMinutes(-5)), (2, Signal.MachineState, (double)MachineState.Standby, since));
        using var terminal = await TerminalAsync(ct, "edging");

        var asked = (await WorkAsync(terminal, ct)).OpenStops;
        var unknown = await RefusedAsync(terminal, new { kind = "stop-reason", machineId = "edgebander-01", stopSince = since, stopReason = "lunch" }, ct);
        using (var explained = await terminal.PostAsJsonAsync("api/terminal/actions", new { key = Guid.NewGuid(), kind = "stop-reason", machineId = "edgebander-01", stopSince = since, stopReason = "material-missing" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        }

        var after = (await WorkAsync(terminal, ct)).OpenStops;

        var stop = Assert.Single(asked);
        Assert.Equal("edgebander-01", stop.MachineId);
        Assert.Equal(since.ToUnixTimeMilliseconds(), stop.Since.ToUnixTimeMilliseconds());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Empty(after);
        Assert.Equal(StopReason.MaterialMissing, await cloud.QueryAsync(db => db.Stops.Where(s => s.MachineId == "edgebander-01").Select(s => s.Reason).SingleAsync(ct)));
    }

    [Fact]
    public async Task Work_AnotherWorkCentresOperation_NotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("SCOPE-1", ProductionCloud.Panel("Shelf", 1));
        using var cnc = await TerminalAsync(ct, "cnc");

        var refused = await RefusedAsync(cnc, new { kind = "start", operationId = order.Parts[0].Operations[0].Id }, ct);
        using var label = await cnc.GetAsync(new Uri($"api/terminal/parts/{order.Parts[0].Id}", UriKind.Relative), ct);
        var work = await WorkAsync(cnc, ct);

        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Equal(HttpStatusCode.NotFound, label.StatusCode);
        Assert.Equal(["cnc-01"], work.Machines.Select(m => m.Id));
        Assert.DoesNotContain(work.Queue, o => o.OrderNumber == "SCOPE-1");
    }

    [Fact]
    public async Task ForgetAsync_KeysOlderThanKept_DeletedYoungerKept()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var old = new TerminalAction { TerminalId = "retention", Key = Guid.NewGuid(), Kind = "report", AppliedAt = now.AddDays(-8), Response = "null" };
        var recent = new TerminalAction { TerminalId = "retention", Key = Guid.NewGuid(), Kind = "report", AppliedAt = now.AddDays(-6), Response = "null" };
        await cloud.QueryAsync(db =>
        {
            db.TerminalActions.AddRange(old, recent);
            return db.SaveChangesAsync(ct);
        });

        var forgotten = await cloud.App.Services.GetRequiredService<TerminalActionRetention>().ForgetAsync(ct);

        Assert.Equal(1, forgotten);
        Assert.Equal([recent.Key], await cloud.QueryAsync(db => db.TerminalActions.Where(a => a.TerminalId == "retention").Select(a => a.Key).ToListAsync(ct)));
    }

    private async Task<HttpClient> TerminalAsync(CancellationToken ct, string workCentre = "saw")
    {
        using var admin = await cloud.AdminAsync(ct);
        return (await cloud.TerminalClientAsync(admin, workCentre, ct)).Client;
    }

    private static async Task<OperationView> ActAsync(HttpClient terminal, object action, CancellationToken ct)
    {
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions", WithKey(action), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync<ActionAnswer>(Json, ct))!.Operation!;
    }

    private static async Task<(HttpStatusCode Status, string Detail)> RefusedAsync(HttpClient terminal, object action, CancellationToken ct)
    {
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions", WithKey(action), ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return (response.StatusCode, problem.GetProperty("detail").GetString()!);
    }

    private static async Task<OperationView> ViewAsync(HttpClient terminal, long operationId, CancellationToken ct) =>
        (await WorkAsync(terminal, ct)).Queue.Single(o => o.Id == operationId);

    private static async Task<Work> WorkAsync(HttpClient terminal, CancellationToken ct) =>
        (await terminal.GetFromJsonAsync<Work>("api/terminal/work", Json, ct))!;

    private static Dictionary<string, object?> WithKey(object action)
    {
        var body = JsonSerializer.SerializeToElement(action, Json).Deserialize<Dictionary<string, object?>>()!;
        body["key"] = Guid.NewGuid();
        return body;
    }

    internal sealed record ActionAnswer(OperationView? Operation);

    internal sealed record Work(IReadOnlyList<TerminalMachine> Machines, IReadOnlyList<OperationView> Queue, IReadOnlyList<OpenStop> OpenStops);
}
