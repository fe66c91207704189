using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>The small shop of <see cref="ProductionCloud"/>, working around the clock (so a test's now is always working time), the planner's debounce short.</summary>
public sealed class PlanningCloud : ProductionCloud, IAsyncLifetime
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. base.Settings, new("Planning:Debounce", "00:00:00.200")];

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await base.InitializeAsync();
        await QueryAsync(async db =>
        {
            foreach (var centre in await db.WorkCentres.ToListAsync())
            {
                centre.Calendar = new WorkCalendar();
            }

            return await db.SaveChangesAsync();
        });
    }

    internal Planner Planner => App.Services.GetRequiredService<Planner>();
}

/// <summary>The live planner on the real host and PostgreSQL: it reschedules by itself and shows what moved.</summary>
public sealed class PlannerTests(PlanningCloud cloud) : IClassFixture<PlanningCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static ulong s_sequence = 1000;

    [Fact]
    public async Task Planner_MachineGoesToError_MovesTheProjectedDatesOfOrdersQueuedOnIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync($"PL-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Door", 30), ProductionCloud.Panel("Side", 30));
        var before = await cloud.Planner.RescheduleAsync("test", ct);
        var projected = before.Orders.Single(o => o.OrderId == order.Id).Projected;

        // Every schedule published from here on: a reschedule still pending from the order's creation may be the one that
        // first sees the stopped saw, and then it, not the one named after the stop, shows the order's move.
        var published = new System.Collections.Concurrent.ConcurrentQueue<Schedule>();
        void Keep(Schedule schedule) => published.Enqueue(schedule);
        cloud.Planner.Changed += Keep;
        Schedule stopped;
        try
        {
            await State("saw-01", MachineState.Error);
            stopped = await UntilAsync(s => s.Reason.Contains("saw-01 stopped", StringComparison.Ordinal), ct);
        }
        finally
        {
            cloud.Planner.Changed -= Keep;
        }

        // No breakdown history: the default repair (30 min) is taken off the saw, and the order's saw operations wait for it.
        var now = stopped.Orders.Single(o => o.OrderId == order.Id);
        Assert.InRange(now.Projected - projected, TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(35));
        // The stopped schedule itself is looked at too, whether or not its Changed event reached the queue.
        Assert.Contains(published.Append(stopped).Where(s => s.Version > before.Version && s.Version <= stopped.Version).SelectMany(s => s.Moves),
            m => m.OrderNumber == order.Number && m.Now > m.Was);
        Assert.True(now.P90 >= now.P50 && now.P50 >= now.Projected.AddMinutes(-10));

        await State("saw-01", MachineState.Working);
        var back = await UntilAsync(s => s.Reason.Contains("saw-01 came back", StringComparison.Ordinal), ct);
        Assert.True(back.Orders.Single(o => o.OrderId == order.Id).Projected < now.Projected);
    }

    [Fact]
    public async Task SequenceApi_PreviewThenApply_PreviewChangesNothingApplyIsKeptAndAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await cloud.CreateOrderAsync($"PA-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Top", 20));
        var second = await cloud.CreateOrderAsync($"PB-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Shelf", 20));
        await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == second.Id).ExecuteUpdateAsync(o => o.SetProperty(x => x.Priority, 5), ct));
        var schedule = await cloud.Planner.RescheduleAsync("test", ct);
        var firstOp = schedule.Operations.Single(o => o.OrderId == first.Id).OperationId;
        var secondOp = schedule.Operations.Single(o => o.OrderId == second.Id).OperationId;
        Assert.True(Start(schedule, firstOp) < Start(schedule, secondOp));
        var position = Saw(schedule).IndexOf(firstOp);
        using var admin = await cloud.AdminAsync(ct);

        using var preview = await admin.PostAsJsonAsync("api/planning/sequence?preview=true", new SequenceChange(secondOp, position, null), ct);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var previewed = (await preview.Content.ReadFromJsonAsync<Schedule>(Json, ct))!;
        Assert.True(Start(previewed, secondOp) < Start(previewed, firstOp));
        Assert.Contains(previewed.Moves, m => m.OperationId == firstOp);
        Assert.True(Start(cloud.Planner.Current, firstOp) < Start(cloud.Planner.Current, secondOp));

        using var applied = await admin.PostAsJsonAsync("api/planning/sequence", new SequenceChange(secondOp, position, "saw-01"), ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var after = (await applied.Content.ReadFromJsonAsync<Schedule>(Json, ct))!;
        Assert.True(Start(after, secondOp) < Start(after, firstOp));
        // Kept: a reschedule from the database honours it; audited with the operation.
        Assert.True(Start(await cloud.Planner.RescheduleAsync("test", ct), secondOp) < Start(cloud.Planner.Current, firstOp));
        var audit = await cloud.App.Services.GetRequiredService<AuditTrail>().ReadAsync(0, 100_000, null, ct)
            .Where(r => r.Action == "planning.sequence.changed" && r.EntityId == $"{secondOp}").ToListAsync(ct);
        Assert.Single(audit);

        using var unknown = await admin.PostAsJsonAsync("api/planning/sequence", new SequenceChange(long.MaxValue, 0, null), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var wrongMachine = await admin.PostAsJsonAsync("api/planning/sequence", new SequenceChange(secondOp, 0, "cnc-01"), ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongMachine.StatusCode);
    }

    [Fact]
    public async Task Planner_OperationFinishedAtTheShopFloor_LeavesTheSchedule()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync($"PF-{Guid.NewGuid():N}"[..12], ProductionCloud.Panel("Back", 5, edge: "ABS 0.4"));
        var schedule = await cloud.Planner.RescheduleAsync("test", ct);
        var saw = schedule.Operations.Single(o => o.OrderId == order.Id && o.WorkCentreId == "saw");
        var shopFloor = cloud.App.Services.GetRequiredService<ShopFloor>();
        var actor = new ShopFloorActor("t-plan", "saw", null);

        var started = await shopFloor.ApplyAsync(actor, new ShopFloorAction(Guid.NewGuid(), "start", saw.OperationId, "saw-01", null, null, null, null, null, null), ct);
        Assert.Equal(200, started.Status);
        await UntilAsync(s => s.Operations.Any(o => o.OperationId == saw.OperationId && o.State == OperationState.Running), ct);
        var finished = await shopFloor.ApplyAsync(actor, new ShopFloorAction(Guid.NewGuid(), "finish", saw.OperationId, null, 5, null, null, null, null, null), ct);
        Assert.Equal(200, finished.Status);

        var after = await UntilAsync(s => s.Operations.All(o => o.OperationId != saw.OperationId), ct);
        Assert.Contains(after.Operations, o => o.OrderId == order.Id && o.WorkCentreId == "edging");
    }

    [Fact]
    public async Task MaintenanceApi_Planned_TakesTheMachinesCapacity()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var from = DateTimeOffset.UtcNow.AddDays(3);

        using var planned = await admin.PostAsJsonAsync("api/planning/maintenance/", new MaintenanceDraft("cnc-01", from, from.AddHours(4), "spindle"), ct);
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        var window = (await planned.Content.ReadFromJsonAsync<MaintenanceWindow>(Json, ct))!;
        var listed = await admin.GetFromJsonAsync<List<MaintenanceWindow>>("api/planning/maintenance", Json, ct);
        Assert.Contains(listed!, w => w.Id == window.Id && w.Note == "spindle");
        var schedule = await UntilAsync(s => s.Reason.Contains("maintenance planned on cnc-01", StringComparison.Ordinal), ct);
        var day = schedule.Capacity.Single(c => c.WorkCentreId == "cnc" && c.Day == DateOnly.FromDateTime(from.UtcDateTime.AddDays(2)));
        Assert.Equal(TimeSpan.FromHours(24), day.Capacity);
        Assert.True(schedule.Capacity.Where(c => c.WorkCentreId == "cnc").Sum(c => c.Capacity.TotalHours) < schedule.Capacity.Where(c => c.WorkCentreId == "saw").Sum(c => c.Capacity.TotalHours) - 3.9);

        using var bad = await admin.PostAsJsonAsync("api/planning/maintenance/", new MaintenanceDraft("cnc-01", from, from, null), ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        using var removed = await admin.DeleteAsync(new Uri($"api/planning/maintenance/{window.Id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    private static DateTimeOffset Start(Schedule schedule, long operation) => schedule.Operations.Single(o => o.OperationId == operation).Start;

    private static List<long> Saw(Schedule schedule) =>
        [.. schedule.Operations.Where(o => o.WorkCentreId == "saw").OrderBy(o => o.Start).ThenBy(o => o.OperationId).Select(o => o.OperationId)];

    private Task State(string machine, MachineState state) =>
        cloud.ReportAsync(machine, "edge-plan", (Interlocked.Increment(ref s_sequence), Signal.MachineState, (int)state, DateTimeOffset.UtcNow));

    /// <summary>The planner's schedule once <paramref name="condition"/> holds (it reschedules by itself), within 30 s.</summary>
    private async Task<Schedule> UntilAsync(Func<Schedule, bool> condition, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var schedule = cloud.Planner.Current;
            if (condition(schedule))
            {
                return schedule;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"The schedule did not get there in 30 s; the last one: version {schedule.Version}, {schedule.Reason}");
            }

            await Task.Delay(100, ct);
        }
    }
}
