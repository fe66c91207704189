using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Notifications;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Alerts;

/// <summary>What the scoring found on a machine: the model's probability, the horizon and the signals that drove it.</summary>
internal sealed record AlertScore(string MachineId, string MachineClass, long? ModelId, float Probability, TimeSpan Horizon,
    IReadOnlyList<AlertReason> Reasons, DateTimeOffset At);

/// <summary>
/// Failure alerts (<c>maintenance_alerts</c>): one open alert per machine however long its degradation lasts; raised by the
/// scoring, acknowledged and resolved (with a verdict) by people. Each step is audited (<c>maintenance.alert.*</c>) and
/// handed to the notifications.
/// </summary>
internal sealed class MaintenanceAlerts(HistoryDatabase database, AuditTrail audit, IEnumerable<IAlertNotifications> notifications, TimeProvider time)
{
    private const string Columns = """
        "Id", "MachineId", "MachineClass", "ModelId", "Severity", "Status", "Probability", "PeakProbability", "LastProbability",
        "HorizonMinutes", "Reasons"::text, "RaisedAt", "ScoredAt", "ConditionClearedAt", "AcknowledgedAt", "AcknowledgedBy",
        "ResolvedAt", "ResolvedBy", "Verdict", "Note"
        """;

    /// <summary>Alerts, newest first: the open ones (<paramref name="openOnly"/>) or all, of one machine or all.</summary>
    public async Task<IReadOnlyList<MaintenanceAlert>> ListAsync(bool openOnly, string? machine, CancellationToken ct, int limit = 500)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {Columns} FROM maintenance_alerts
            WHERE (NOT $1 OR "Status" < 2) AND ($2::text IS NULL OR "MachineId" = $2)
            ORDER BY "RaisedAt" DESC, "Id" DESC LIMIT $3
            """);
        command.Parameters.Add(new() { Value = openOnly });
        command.Parameters.Add(new() { Value = (object?)machine ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        return await ReadAsync(command, ct);
    }

    public async Task<MaintenanceAlert?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""SELECT {Columns} FROM maintenance_alerts WHERE "Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>
    /// Records a score above the raise level: raises a new alert when the machine has no open one, otherwise updates
    /// the open alert's last and peak probability and reasons (one degradation, one alert).
    /// </summary>
    public async Task<MaintenanceAlert> RaiseAsync(AlertScore score, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(score);
        await using var command = database.DataSource.CreateCommand($"""
            INSERT INTO maintenance_alerts ("MachineId", "MachineClass", "ModelId", "Severity", "Status", "Probability", "PeakProbability",
                "LastProbability", "HorizonMinutes", "Reasons", "RaisedAt", "ScoredAt")
            VALUES ($1, $2, $3, $4, 0, $5, $5, $5, $6, $7::jsonb, $8, $8)
            ON CONFLICT ("MachineId") WHERE "Status" < 2 DO UPDATE SET
                "LastProbability" = EXCLUDED."LastProbability",
                "PeakProbability" = GREATEST(maintenance_alerts."PeakProbability", EXCLUDED."LastProbability"),
                "Severity" = GREATEST(maintenance_alerts."Severity", EXCLUDED."Severity"),
                "Reasons" = CASE WHEN EXCLUDED."LastProbability" >= maintenance_alerts."PeakProbability" THEN EXCLUDED."Reasons" ELSE maintenance_alerts."Reasons" END,
                "ScoredAt" = EXCLUDED."ScoredAt",
                "ConditionClearedAt" = NULL
            RETURNING {Columns}, (xmax = 0) AS inserted
            """);
        command.Parameters.Add(new() { Value = score.MachineId });
        command.Parameters.Add(new() { Value = score.MachineClass });
        command.Parameters.Add(new() { Value = (object?)score.ModelId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (short)MaintenanceAlert.SeverityOf(score.Probability) });
        command.Parameters.Add(new() { Value = score.Probability });
        command.Parameters.Add(new() { Value = (int)Math.Round(score.Horizon.TotalMinutes) });
        command.Parameters.Add(new() { Value = MaintenanceAlert.ReasonsJson(score.Reasons) });
        command.Parameters.Add(new() { Value = score.At.ToUniversalTime() });
        MaintenanceAlert alert;
        bool inserted;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            alert = Read(reader);
            inserted = reader.GetBoolean(20);
        }

        if (inserted)
        {
            await audit.AppendAsync(AuditActor.System, "maintenance.alert.raised", "maintenance-alert", Key(alert.Id), null, Summary(alert), ct);
            await NotifyAsync(alert, AlertStatus.Raised, ct);
        }

        return alert;
    }

    /// <summary>Records a score below the clear level on the machine's open alert: the condition cleared; a person still resolves it.</summary>
    public async Task ConditionClearedAsync(string machine, float probability, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            UPDATE maintenance_alerts SET "LastProbability" = $2, "ScoredAt" = $3, "ConditionClearedAt" = COALESCE("ConditionClearedAt", $3)
            WHERE "MachineId" = $1 AND "Status" < 2
            """);
        command.Parameters.Add(new() { Value = machine });
        command.Parameters.Add(new() { Value = probability });
        command.Parameters.Add(new() { Value = at.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Someone has seen the alert and takes it on; only a raised alert can be acknowledged.</summary>
    public async Task<(MaintenanceAlert? Alert, string? Problem)> AcknowledgeAsync(AuditActor actor, string who, long id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            UPDATE maintenance_alerts SET "Status" = 1, "AcknowledgedAt" = $2, "AcknowledgedBy" = $3
            WHERE "Id" = $1 AND "Status" = 0 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = Truncate(who, 256) });
        var alert = (await ReadAsync(command, ct)).SingleOrDefault();
        if (alert is null)
        {
            return (null, await GetAsync(id, ct) is null ? null : "only a raised alert can be acknowledged.");
        }

        await audit.AppendAsync(actor, "maintenance.alert.acknowledged", "maintenance-alert", Key(id), null, Summary(alert), ct);
        await NotifyAsync(alert, AlertStatus.Acknowledged, ct);
        return (alert, null);
    }

    /// <summary>Closes an open alert with a verdict (true failure, false alarm, prevented) and an optional note.</summary>
    public async Task<(MaintenanceAlert? Alert, string? Problem)> ResolveAsync(AuditActor actor, string who, long id, AlertVerdict verdict, string? note, CancellationToken ct)
    {
        if (note is { Length: > MaintenanceAlert.MaxNoteLength })
        {
            return (null, $"note is at most {MaintenanceAlert.MaxNoteLength} characters.");
        }

        if (!Enum.IsDefined(verdict))
        {
            return (null, "verdict must be TrueFailure, FalseAlarm or Prevented.");
        }

        await using var command = database.DataSource.CreateCommand($"""
            UPDATE maintenance_alerts SET "Status" = 2, "ResolvedAt" = $2, "ResolvedBy" = $3, "Verdict" = $4, "Note" = $5,
                "AcknowledgedAt" = COALESCE("AcknowledgedAt", $2), "AcknowledgedBy" = COALESCE("AcknowledgedBy", $3)
            WHERE "Id" = $1 AND "Status" < 2 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = Truncate(who, 256) });
        command.Parameters.Add(new() { Value = (short)verdict });
        command.Parameters.Add(new() { Value = (object?)note ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        var alert = (await ReadAsync(command, ct)).SingleOrDefault();
        if (alert is null)
        {
            return (null, await GetAsync(id, ct) is null ? null : "the alert is already resolved.");
        }

        await audit.AppendAsync(actor, "maintenance.alert.resolved", "maintenance-alert", Key(id), null, Summary(alert), ct);
        await NotifyAsync(alert, AlertStatus.Resolved, ct);
        return (alert, null);
    }

    private async Task NotifyAsync(MaintenanceAlert alert, AlertStatus status, CancellationToken ct)
    {
        string? centre;
        await using (var command = database.DataSource.CreateCommand("""SELECT "WorkCentreId" FROM production_work_centre_machines WHERE "MachineId" = $1"""))
        {
            command.Parameters.Add(new() { Value = alert.MachineId });
            centre = await command.ExecuteScalarAsync(ct) as string;
        }

        var title = string.Create(CultureInfo.InvariantCulture, $"{alert.MachineId}: failure predicted within {alert.HorizonMinutes / 60.0:0.#} h ({alert.PeakProbability:P0})");
        var text = string.Join("; ", alert.Reasons.Take(3).Select(r => r.Text));
        var notice = new AlertNotice(alert.Id, alert.MachineId, centre, alert.Severity, status, title, text,
            $"/maintenance/machines/{Uri.EscapeDataString(alert.MachineId)}", time.GetUtcNow());
        foreach (var channel in notifications)
        {
            await channel.PublishAsync(notice, ct);
        }
    }

    private static object Summary(MaintenanceAlert alert) => new
    {
        alert.MachineId,
        alert.Status,
        alert.Severity,
        alert.Probability,
        alert.HorizonMinutes,
        alert.Verdict,
        alert.Note,
    };

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static async Task<IReadOnlyList<MaintenanceAlert>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var alerts = new List<MaintenanceAlert>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            alerts.Add(Read(reader));
        }

        return alerts;
    }

    private static MaintenanceAlert Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3),
        (AlertSeverity)r.GetInt16(4), (AlertStatus)r.GetInt16(5), r.GetFloat(6), r.GetFloat(7), r.GetFloat(8),
        r.GetInt32(9), MaintenanceAlert.ReasonsFrom(r.GetString(10)), r.GetFieldValue<DateTimeOffset>(11), r.GetFieldValue<DateTimeOffset>(12),
        r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13), r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14),
        r.IsDBNull(15) ? null : r.GetString(15), r.IsDBNull(16) ? null : r.GetFieldValue<DateTimeOffset>(16),
        r.IsDBNull(17) ? null : r.GetString(17), r.IsDBNull(18) ? null : (AlertVerdict)r.GetInt16(18), r.IsDBNull(19) ? null : r.GetString(19));
}
