using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Planning;

/// <summary>A maintenance window as it is planned: the machine, from and to, and a note.</summary>
internal sealed record MaintenanceDraft(string? MachineId, DateTimeOffset? From, DateTimeOffset? To, string? Note);

/// <summary>
/// Planned maintenance of machines (<c>planning_maintenance</c>): a window is outside the machine's capacity, so the
/// planner reschedules when one is planned or removed. Every change is audited (<c>maintenance.planned</c>, <c>maintenance.removed</c>).
/// </summary>
internal sealed class MaintenanceWindows(IServiceScopeFactory scopes, AuditTrail audit, Planner planner, TimeProvider time)
{
    public const int MaxNoteLength = 200;

    public async Task<IReadOnlyList<MaintenanceWindow>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await PlanningStore.MaintenanceAsync(scope.ServiceProvider.GetRequiredService<ProductionDbContext>(), time.GetUtcNow(), ct);
    }

    /// <summary>Plans a window; the answer is the window, or what is wrong with the draft.</summary>
    public async Task<(MaintenanceWindow? Window, string? Problem)> PlanAsync(AuditActor actor, MaintenanceDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        if (draft.MachineId is not { } machine || !await db.WorkCentreMachines.AnyAsync(m => m.MachineId == machine, ct))
        {
            return (null, "machineId must name a machine of a work centre.");
        }

        if (draft.From is not { } from || draft.To is not { } to || to <= from)
        {
            return (null, "from and to are required, to after from.");
        }

        if (draft.Note is { Length: > MaxNoteLength })
        {
            return (null, $"note is at most {MaxNoteLength} characters.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var id = await db.Database.SqlQuery<long>($"""
            INSERT INTO planning_maintenance ("MachineId", "From", "To", "Note", "CreatedAt")
            VALUES ({machine}, {from.ToUniversalTime()}, {to.ToUniversalTime()}, {draft.Note}, {time.GetUtcNow()}) RETURNING "Id" AS "Value"
            """).ToListAsync(ct);
        // The window leaves planned time: the OEE of the shifts it touches is computed again (Oee/README.md).
        await OeeDirty.MarkWindowAsync(db.Database, machine, from, to, ct);
        await transaction.CommitAsync(ct);
        var window = new MaintenanceWindow(id.Single(), machine, from.ToUniversalTime(), to.ToUniversalTime(), draft.Note);
        await audit.AppendAsync(actor, "maintenance.planned", "maintenance", window.Id.ToString(CultureInfo.InvariantCulture), null, window, ct);
        planner.Request($"maintenance planned on {machine}");
        return (window, null);
    }

    /// <summary>
    /// Ends a window at <paramref name="at"/> (the work was done early): a window not yet begun is removed, one under way
    /// ends then, and the machine's capacity after it returns. False when there is no such window.
    /// </summary>
    public async Task<bool> EndAsync(AuditActor actor, long id, DateTimeOffset at, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var window = (await db.Database.SqlQuery<MaintenanceWindow>($"""
            SELECT "Id", "MachineId", "From", "To", "Note" FROM planning_maintenance WHERE "Id" = {id}
            """).ToListAsync(ct)).SingleOrDefault();
        if (window is null)
        {
            return false;
        }

        if (at <= window.From)
        {
            return await RemoveAsync(actor, id, ct);
        }

        if (at >= window.To)
        {
            return true;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""UPDATE planning_maintenance SET "To" = {at.ToUniversalTime()} WHERE "Id" = {id}""", ct);
        await OeeDirty.MarkWindowAsync(db.Database, window.MachineId, at, window.To, ct);
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "maintenance.ended", "maintenance", id.ToString(CultureInfo.InvariantCulture), window, window with { To = at.ToUniversalTime() }, ct);
        planner.Request($"maintenance ended on {window.MachineId}");
        return true;
    }

    public async Task<bool> RemoveAsync(AuditActor actor, long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var removed = await db.Database.SqlQuery<MaintenanceWindow>($"""
            DELETE FROM planning_maintenance WHERE "Id" = {id} RETURNING "Id", "MachineId", "From", "To", "Note"
            """).ToListAsync(ct);
        if (removed.Count == 0)
        {
            return false;
        }

        await OeeDirty.MarkWindowAsync(db.Database, removed[0].MachineId, removed[0].From, removed[0].To, ct);
        await transaction.CommitAsync(ct);

        await audit.AppendAsync(actor, "maintenance.removed", "maintenance", id.ToString(CultureInfo.InvariantCulture), removed[0], null, ct);
        planner.Request($"maintenance removed on {removed[0].MachineId}");
        return true;
    }
}
