using DomioOps.Cloud.Audit;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Production;

/// <summary>One step of a routing as a planner edits it; null times take the work centre's standard.</summary>
internal sealed record RoutingStep(string WorkCentreId, decimal? SetupMinutes, decimal? CycleSeconds);

/// <summary>
/// Edits a part's routing: the steps already started stay as they are (the request must repeat them unchanged, in
/// order); the steps after them are replaced by the request's. Audited with the routing before and after.
/// </summary>
internal sealed class RoutingEditor(IServiceScopeFactory scopes, AuditTrail audit)
{
    public const int MaxSteps = 20;

    /// <summary>The new routing, or why it was refused (null when the part does not exist).</summary>
    public async Task<(IReadOnlyList<Operation>? Routing, string? Problem)> ReplaceAsync(AuditActor actor, long partId, IReadOnlyList<RoutingStep> steps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(steps);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var part = await db.Parts.FromSql($"""SELECT * FROM production_parts WHERE "Id" = {partId} FOR UPDATE""").SingleOrDefaultAsync(ct);
        if (part is null)
        {
            return (null, null);
        }

        if (steps.Count is 0 or > MaxSteps)
        {
            return (null, $"A routing has 1 to {MaxSteps} steps.");
        }

        var centres = await db.WorkCentres.AsNoTracking().ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, ct);
        if (steps.Select((s, i) => (s, i)).FirstOrDefault(p => !centres.ContainsKey(p.s.WorkCentreId ?? "")) is { s: not null } unknown)
        {
            return (null, $"Step {unknown.i + 1}: there is no work centre '{unknown.s.WorkCentreId}'.");
        }

        if (steps.Any(s => s.SetupMinutes is < 0 or > 10_000 || s.CycleSeconds is < 0 or > 100_000))
        {
            return (null, "Set-up is 0-10000 minutes and cycle time 0-100000 seconds.");
        }

        var current = await db.Operations.Where(o => o.PartId == partId).OrderBy(o => o.Step).ToListAsync(ct);
        var started = current.TakeWhile(o => o.StartedAt is not null || o.State is OperationState.Running or OperationState.Paused or OperationState.Done).ToList();
        if (started.Count > steps.Count || started.Where((o, i) => o.WorkCentreId != steps[i].WorkCentreId).Any())
        {
            return (null, $"The first {started.Count} step(s) have started and stay as they are: repeat them unchanged at the start of the routing.");
        }

        var before = current.Select(o => new { o.Step, o.WorkCentreId, o.SetupMinutes, o.CycleSeconds }).ToList();
        db.Operations.RemoveRange(current.Skip(started.Count));
        await db.SaveChangesAsync(ct);
        var previousDone = started.Count == 0 || started[^1].State == OperationState.Done;
        for (var i = started.Count; i < steps.Count; i++)
        {
            var centre = centres[steps[i].WorkCentreId];
            db.Operations.Add(new Operation
            {
                OrderId = part.OrderId,
                PartId = part.Id,
                Step = i + 1,
                WorkCentreId = centre.Id,
                SetupMinutes = steps[i].SetupMinutes ?? centre.SetupMinutes,
                CycleSeconds = steps[i].CycleSeconds ?? centre.CycleSeconds,
                Planned = part.Quantity,
                State = i == started.Count && previousDone ? OperationState.Ready : OperationState.Planned,
            });
        }

        if (steps.Count > started.Count && await db.Orders.SingleAsync(o => o.Id == part.OrderId, ct) is { CompletedAt: not null } order)
        {
            // A step added to a finished part: the order has work again.
            order.CompletedAt = null;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        var routing = await db.Operations.AsNoTracking().Where(o => o.PartId == partId).OrderBy(o => o.Step).ToListAsync(ct);
        await audit.AppendAsync(actor, "routing.changed", "part", partId.ToString(System.Globalization.CultureInfo.InvariantCulture), before,
            routing.Select(o => new { o.Step, o.WorkCentreId, o.SetupMinutes, o.CycleSeconds }), ct);
        return (routing, null);
    }
}
