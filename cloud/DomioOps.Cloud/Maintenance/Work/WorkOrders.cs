using System.Globalization;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Planning;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Work;

/// <summary>
/// Work orders (<c>maintenance_work_orders</c>). A planned work order holds a planned-maintenance window
/// (<see cref="MaintenanceWindows"/>), so the planner takes the machine's capacity out for it; closing the order ends the
/// window at that moment, closing a repair resets the machine's operating hours (<c>maintenance_repairs</c>) and resolves
/// the alert it came from. Every step is audited (<c>maintenance.work-order.*</c>).
/// </summary>
internal sealed class WorkOrders(HistoryDatabase database, MaintenanceWindows windows, MaintenanceAlerts alerts, AuditTrail audit, TimeProvider time)
{
    private const string Columns = """
        "Id", "MachineId", "AlertId", "Title", "Status", "PlannedFrom", "PlannedTo", "WindowId", "Checklist"::text, "PartsUsed"::text,
        "MinutesSpent", "Repair", "CreatedAt", "CreatedBy", "ClosedAt", "ClosedBy"
        """;

    public async Task<IReadOnlyList<WorkOrder>> ListAsync(bool openOnly, string? machine, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {Columns} FROM maintenance_work_orders
            WHERE (NOT $1 OR "Status" = 0) AND ($2::text IS NULL OR "MachineId" = $2)
            ORDER BY "Status", "PlannedFrom" DESC, "Id" DESC LIMIT 500
            """);
        command.Parameters.Add(new() { Value = openOnly });
        command.Parameters.Add(new() { Value = (object?)machine ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await ReadAsync(command, ct);
    }

    public async Task<WorkOrder?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""SELECT {Columns} FROM maintenance_work_orders WHERE "Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>Plans a work order and its window; the answer is the order, or what is wrong with the draft.</summary>
    public async Task<(WorkOrder? Order, string? Problem)> CreateAsync(AuditActor actor, string who, WorkOrderDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var title = draft.Title?.Trim();
        if (string.IsNullOrEmpty(title) || title.Length > WorkOrder.MaxTitleLength)
        {
            return (null, $"title is required, at most {WorkOrder.MaxTitleLength} characters.");
        }

        var checklist = (draft.Checklist ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        if (checklist.Count > WorkOrder.MaxChecklistItems || checklist.Any(t => t.Length > WorkOrder.MaxItemLength))
        {
            return (null, $"checklist has at most {WorkOrder.MaxChecklistItems} items of at most {WorkOrder.MaxItemLength} characters.");
        }

        if (draft.AlertId is { } alertId && (await alerts.GetAsync(alertId, ct) is not { } alert || alert.MachineId != draft.MachineId))
        {
            return (null, "alertId must name an alert of the same machine.");
        }

        // The window first: it checks the machine and the times, and the planner reschedules around it.
        var note = Truncate($"{title}", MaintenanceWindows.MaxNoteLength);
        var (window, problem) = await windows.PlanAsync(actor, new MaintenanceDraft(draft.MachineId, draft.PlannedFrom, draft.PlannedTo, note), ct);
        if (window is null)
        {
            return (null, problem);
        }

        await using var command = database.DataSource.CreateCommand($"""
            INSERT INTO maintenance_work_orders ("MachineId", "AlertId", "Title", "Status", "PlannedFrom", "PlannedTo", "WindowId",
                "Checklist", "PartsUsed", "CreatedAt", "CreatedBy")
            VALUES ($1, $2, $3, 0, $4, $5, $6, $7::jsonb, '[]'::jsonb, $8, $9) RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = window.MachineId });
        command.Parameters.Add(new() { Value = (object?)draft.AlertId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = title });
        command.Parameters.Add(new() { Value = window.From });
        command.Parameters.Add(new() { Value = window.To });
        command.Parameters.Add(new() { Value = window.Id });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(checklist.Select(t => new ChecklistItem(t, false)), WorkOrder.Json) });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = Truncate(who, 256) });
        WorkOrder order;
        try
        {
            order = (await ReadAsync(command, ct)).Single();
        }
        catch
        {
            await windows.RemoveAsync(actor, window.Id, CancellationToken.None);
            throw;
        }

        await audit.AppendAsync(actor, "maintenance.work-order.planned", "maintenance-work-order", Key(order.Id), null, Summary(order), ct);
        return (order, null);
    }

    /// <summary>Records progress on a planned order (checklist, parts, time); the parts of the answer left null stay as they are.</summary>
    public async Task<(WorkOrder? Order, string? Problem)> RecordAsync(AuditActor actor, long id, WorkOrderProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.MinutesSpent is < 0 or > 100_000)
        {
            return (null, "minutesSpent is between 0 and 100000.");
        }

        if (progress.Checklist is { } items && (items.Count > WorkOrder.MaxChecklistItems || items.Any(i => string.IsNullOrWhiteSpace(i.Text) || i.Text.Length > WorkOrder.MaxItemLength)))
        {
            return (null, $"checklist has at most {WorkOrder.MaxChecklistItems} items of 1 to {WorkOrder.MaxItemLength} characters.");
        }

        if (progress.PartsUsed is { } parts && (parts.Count > 100 || parts.Any(p => string.IsNullOrWhiteSpace(p.Part) || p.Part.Length > 100 || p.Quantity <= 0)))
        {
            return (null, "partsUsed has at most 100 entries, each a part name of 1 to 100 characters and a positive quantity.");
        }

        await using var command = database.DataSource.CreateCommand($"""
            UPDATE maintenance_work_orders SET
                "Checklist" = COALESCE($2::jsonb, "Checklist"), "PartsUsed" = COALESCE($3::jsonb, "PartsUsed"), "MinutesSpent" = COALESCE($4, "MinutesSpent")
            WHERE "Id" = $1 AND "Status" = 0 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = progress.Checklist is null ? DBNull.Value : JsonSerializer.Serialize(progress.Checklist, WorkOrder.Json), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = progress.PartsUsed is null ? DBNull.Value : JsonSerializer.Serialize(progress.PartsUsed, WorkOrder.Json), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)progress.MinutesSpent ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var order = (await ReadAsync(command, ct)).SingleOrDefault();
        if (order is null)
        {
            return (null, await GetAsync(id, ct) is null ? null : "only a planned work order records progress.");
        }

        await audit.AppendAsync(actor, "maintenance.work-order.progress", "maintenance-work-order", Key(id), null, Summary(order), ct);
        return (order, null);
    }

    /// <summary>
    /// Closes a planned order as done: its window ends now (the capacity after it returns); a repair resets the machine's
    /// operating hours; the alert it came from is resolved with the verdict given (a repair: prevented, unless told otherwise).
    /// </summary>
    public async Task<(WorkOrder? Order, string? Problem)> CloseAsync(AuditActor actor, string who, long id, WorkOrderClosing closing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(closing);
        var now = time.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        WorkOrder? order;
        await using (var command = new NpgsqlCommand($"""
            UPDATE maintenance_work_orders SET "Status" = 1, "Repair" = $2, "ClosedAt" = $3, "ClosedBy" = $4
            WHERE "Id" = $1 AND "Status" = 0 RETURNING {Columns}
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = closing.Repair });
            command.Parameters.Add(new() { Value = now });
            command.Parameters.Add(new() { Value = Truncate(who, 256) });
            order = (await ReadAsync(command, ct)).SingleOrDefault();
        }

        if (order is null)
        {
            return (null, await GetAsync(id, ct) is null ? null : "only a planned work order can be closed.");
        }

        if (closing.Repair)
        {
            await using var repair = new NpgsqlCommand("""INSERT INTO maintenance_repairs ("MachineId", "RepairedAt", "WorkOrderId") VALUES ($1, $2, $3)""", connection, transaction);
            repair.Parameters.Add(new() { Value = order.MachineId });
            repair.Parameters.Add(new() { Value = now });
            repair.Parameters.Add(new() { Value = order.Id });
            await repair.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "maintenance.work-order.closed", "maintenance-work-order", Key(id), null, Summary(order), ct);
        if (order.WindowId is { } windowId)
        {
            await windows.EndAsync(actor, windowId, now, ct);
        }

        if (order.AlertId is { } alertId)
        {
            var verdict = closing.Verdict ?? (closing.Repair ? AlertVerdict.Prevented : null);
            if (verdict is { } v && await alerts.GetAsync(alertId, ct) is { Open: true })
            {
                await alerts.ResolveAsync(actor, who, alertId, v, closing.Note ?? $"work order {order.Id}", ct);
            }
        }

        return (order, null);
    }

    /// <summary>Cancels a planned order: its window goes (ends now if under way).</summary>
    public async Task<(WorkOrder? Order, string? Problem)> CancelAsync(AuditActor actor, string who, long id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            UPDATE maintenance_work_orders SET "Status" = 2, "ClosedAt" = $2, "ClosedBy" = $3 WHERE "Id" = $1 AND "Status" = 0 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = Truncate(who, 256) });
        var order = (await ReadAsync(command, ct)).SingleOrDefault();
        if (order is null)
        {
            return (null, await GetAsync(id, ct) is null ? null : "only a planned work order can be cancelled.");
        }

        if (order.WindowId is { } windowId)
        {
            await windows.EndAsync(actor, windowId, time.GetUtcNow(), ct);
        }

        await audit.AppendAsync(actor, "maintenance.work-order.cancelled", "maintenance-work-order", Key(id), null, Summary(order), ct);
        return (order, null);
    }

    /// <summary>The last repair of each machine (the start of its operating hours), for the models' features.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastRepairsAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""SELECT "MachineId", max("RepairedAt") FROM maintenance_repairs GROUP BY "MachineId" """);
        var repairs = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            repairs[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        }

        return repairs;
    }

    private static object Summary(WorkOrder order) => new
    {
        order.MachineId,
        order.AlertId,
        order.Status,
        order.PlannedFrom,
        order.PlannedTo,
        ChecklistDone = order.Checklist.Count(i => i.Done),
        ChecklistItems = order.Checklist.Count,
        order.PartsUsed,
        order.MinutesSpent,
        order.Repair,
    };

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static async Task<IReadOnlyList<WorkOrder>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var orders = new List<WorkOrder>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            orders.Add(new(
                reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetString(3),
                (WorkOrderStatus)reader.GetInt16(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                JsonSerializer.Deserialize<List<ChecklistItem>>(reader.GetString(8), WorkOrder.Json) ?? [],
                JsonSerializer.Deserialize<List<PartUsed>>(reader.GetString(9), WorkOrder.Json) ?? [],
                reader.GetInt32(10), reader.GetBoolean(11), reader.GetFieldValue<DateTimeOffset>(12), reader.GetString(13),
                reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14), reader.IsDBNull(15) ? null : reader.GetString(15)));
        }

        return orders;
    }
}
