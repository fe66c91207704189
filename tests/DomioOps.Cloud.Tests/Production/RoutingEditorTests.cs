using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Production;

public sealed class RoutingEditorTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private RoutingEditor Editor => cloud.App.Services.GetRequiredService<RoutingEditor>();

    [Fact]
    public async Task Replace_NothingStarted_NewStepsWithStandardTimesFirstReady()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("ROUTE-1", ProductionCloud.Panel("Side", 3));
        var partId = order.Parts[0].Id;

        var (routing, problem) = await Editor.ReplaceAsync(AuditActor.System, partId, [new("saw", 12, null), new("cnc", null, 95)], ct);

        Assert.Null(problem);
        Assert.Equal([(1, "saw", 12m, 20m, OperationState.Ready), (2, "cnc", 10m, 95m, OperationState.Planned)],
            routing!.Select(o => (o.Step, o.WorkCentreId, o.SetupMinutes, o.CycleSeconds, o.State)));
    }

    [Fact]
    public async Task Replace_FirstStepDone_KeepsItAndReopensTheOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("ROUTE-2", ProductionCloud.Panel("Top", 2));
        var partId = order.Parts[0].Id;
        await cloud.QueryAsync(async db =>
        {
            var saw = await db.Operations.SingleAsync(o => o.PartId == partId, ct);
            (saw.State, saw.StartedAt, saw.FinishedAt, saw.Good) = (OperationState.Done, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 2);
            (await db.Orders.SingleAsync(o => o.Id == order.Id, ct)).CompletedAt = DateTimeOffset.UtcNow;
            return await db.SaveChangesAsync(ct);
        });

        var changed = await Editor.ReplaceAsync(AuditActor.System, partId, [new("cnc", null, null)], ct);
        var (routing, problem) = await Editor.ReplaceAsync(AuditActor.System, partId, [new("saw", null, null), new("edging", null, null)], ct);

        Assert.Equal("The first 1 step(s) have started and stay as they are: repeat them unchanged at the start of the routing.", changed.Problem);
        Assert.Null(problem);
        Assert.Equal([(1, "saw", OperationState.Done, 2), (2, "edging", OperationState.Ready, 0)], routing!.Select(o => (o.Step, o.WorkCentreId, o.State, o.Good)));
        Assert.Null(await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == order.Id).Select(o => o.CompletedAt).SingleAsync(ct)));
    }

    [Fact]
    public async Task Replace_BadRequests_RefusedWithTheReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("ROUTE-3", ProductionCloud.Panel("Back", 1));
        var partId = order.Parts[0].Id;

        var empty = await Editor.ReplaceAsync(AuditActor.System, partId, [], ct);
        var unknown = await Editor.ReplaceAsync(AuditActor.System, partId, [new("saw", null, null), new("paint-shop", null, null)], ct);
        var negative = await Editor.ReplaceAsync(AuditActor.System, partId, [new("saw", -1, null)], ct);
        var missing = await Editor.ReplaceAsync(AuditActor.System, -1, [new("saw", null, null)], ct);

        Assert.Equal("A routing has 1 to 20 steps.", empty.Problem);
        Assert.Equal("Step 2: there is no work centre 'paint-shop'.", unknown.Problem);
        Assert.Equal("Set-up is 0-10000 minutes and cycle time 0-100000 seconds.", negative.Problem);
        Assert.Equal((null, null), (missing.Routing, missing.Problem));
        Assert.Equal(["saw"], await cloud.QueryAsync(db => db.Operations.Where(o => o.PartId == partId).Select(o => o.WorkCentreId).ToListAsync(ct)));
    }
}
