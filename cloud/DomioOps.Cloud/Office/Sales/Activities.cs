using System.Globalization;

using DomioOps.Cloud.Audit;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// Calls, meetings and tasks (<c>office_activities</c>): a person's list, created and edited (against
/// <see cref="Activity.Version"/>), audited as <c>office.activity.*</c> with field names only. Their reminders ring in
/// <see cref="ActivityReminders"/>; an edit that moves the reminder time arms it again.
/// </summary>
internal sealed class Activities(NpgsqlDataSource dataSource, AuditTrail audit, SalesFeedPublisher feed, TimeProvider time)
{
    /// <summary>The most activities a list returns.</summary>
    public const int MaxList = 500;

    private const string Columns = """
        "Id", "Kind", "Subject", "DueAt", "OwnerId", "CustomerId", "DealId", "Done", "RemindAt", "RemindedAt", "CreatedAt", "CreatedBy", "UpdatedAt", "Version"
        """;

    /// <summary>The activities of one owner (or everyone's, null) matching <paramref name="filter"/>, soonest due first.</summary>
    public async Task<IReadOnlyList<Activity>> ListAsync(string? ownerId, ActivityFilter filter, CancellationToken ct)
    {
        var condition = filter switch
        {
            ActivityFilter.Open => """NOT "Done" """,
            ActivityFilter.Overdue => """NOT "Done" AND "DueAt" < $2""",
            ActivityFilter.Done => """ "Done" """,
            _ => "true",
        };
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM office_activities WHERE ($1::text IS NULL OR "OwnerId" = $1) AND {condition}
            ORDER BY "DueAt" {(filter == ActivityFilter.Done ? "DESC" : "")}, "Id" LIMIT {MaxList}
            """);
        command.Parameters.Add(new() { Value = (object?)ownerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        return await ReadAllAsync(command, ct);
    }

    /// <summary>A person's activities for a calendar: due from 90 days ago on, at most <see cref="MaxList"/>.</summary>
    public async Task<IReadOnlyList<Activity>> CalendarAsync(string ownerId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM office_activities WHERE "OwnerId" = $1 AND "DueAt" >= $2 ORDER BY "DueAt", "Id" LIMIT {MaxList}
            """);
        command.Parameters.Add(new() { Value = ownerId });
        command.Parameters.Add(new() { Value = time.GetUtcNow().AddDays(-90) });
        return await ReadAllAsync(command, ct);
    }

    public async Task<Activity?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""SELECT {Columns} FROM office_activities WHERE "Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        var found = await ReadAllAsync(command, ct);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Creates an activity of <paramref name="callerId"/>, unless it names another owner.</summary>
    public async Task<OfficeChange<Activity>> CreateAsync(AuditActor actor, string who, string? callerId, ActivityDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft.Version is not null)
        {
            errors["version"] = ["version is not given for a new activity."];
        }

        var ownerId = DraftText.Clean(draft.OwnerId) ?? callerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var fields = await CheckAsync(connection, transaction, draft, ownerId, errors, ct);
        if (fields is null)
        {
            return OfficeChange<Activity>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        Activity activity;
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO office_activities ("Kind", "Subject", "DueAt", "OwnerId", "CustomerId", "DealId", "Done", "RemindAt", "CreatedAt", "CreatedBy", "UpdatedAt")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING {Columns}
            """, connection, transaction))
        {
            AddFields(insert.Parameters, fields, ownerId!, draft);
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = who.Length <= 256 ? who : who[..256] });
            activity = (await ReadAllAsync(insert, ct))[0];
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.activity.created", "office-activity", Key(activity.Id), null,
            new { kind = activity.Kind, activity.CustomerId, activity.DealId, activity.Done, activity.Version, reminder = activity.RemindAt is not null }, ct);
        await feed.ActivityChangedAsync(activity.CustomerId);
        return new(activity);
    }

    /// <summary>Saves an edit made to version <see cref="ActivityDraft.Version"/> (marking it done is an edit).</summary>
    public async Task<OfficeChange<Activity>> UpdateAsync(AuditActor actor, long id, ActivityDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the activity the change starts from (as read)."];
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Activity before;
        await using (var read = new NpgsqlCommand($"""SELECT {Columns} FROM office_activities WHERE "Id" = $1 FOR UPDATE""", connection, transaction))
        {
            read.Parameters.Add(new() { Value = id });
            var found = await ReadAllAsync(read, ct);
            if (found.Count == 0)
            {
                return OfficeChange<Activity>.Missing;
            }

            before = found[0];
        }

        var ownerId = DraftText.Clean(draft.OwnerId) ?? before.OwnerId;
        var fields = await CheckAsync(connection, transaction, draft, ownerId, errors, ct);
        if (fields is null || errors.Count > 0)
        {
            return OfficeChange<Activity>.Invalid(errors);
        }

        if (before.Version != draft.Version)
        {
            return new(null, Conflict: $"Activity {id} was changed by someone else since you read it (you edited version {draft.Version}, "
                + $"it is now version {before.Version}). Reload it and make your change again.");
        }

        Activity after;
        // A new reminder time arms the reminder again; the same one keeps whether it rang.
        await using (var update = new NpgsqlCommand($"""
            UPDATE office_activities SET "Kind" = $1, "Subject" = $2, "DueAt" = $3, "OwnerId" = $4, "CustomerId" = $5, "DealId" = $6, "Done" = $7,
                "RemindAt" = $8, "RemindedAt" = CASE WHEN "RemindAt" IS NOT DISTINCT FROM $8 THEN "RemindedAt" END,
                "UpdatedAt" = $9, "Version" = "Version" + 1
            WHERE "Id" = $10 RETURNING {Columns}
            """, connection, transaction))
        {
            AddFields(update.Parameters, fields, ownerId, draft);
            update.Parameters.Add(new() { Value = time.GetUtcNow() });
            update.Parameters.Add(new() { Value = id });
            after = (await ReadAllAsync(update, ct))[0];
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.activity.updated", "office-activity", Key(id),
            new { before.CustomerId, before.DealId, before.Done, before.Version },
            new { after.CustomerId, after.DealId, after.Done, after.Version, fields = Changed(before, after) }, ct);
        await feed.ActivityChangedAsync(after.CustomerId);
        return new(after);
    }

    private sealed record Fields(ActivityKind Kind, string Subject, DateTimeOffset DueAt);

    private static async Task<Fields?> CheckAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ActivityDraft draft, string? ownerId,
        Dictionary<string, string[]> errors, CancellationToken ct)
    {
        ActivityKind? kind = DraftText.Clean(draft.Kind)?.ToLowerInvariant() switch
        {
            "call" => ActivityKind.Call,
            "meeting" => ActivityKind.Meeting,
            "task" => ActivityKind.Task,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = [$"kind must be 'call', 'meeting' or 'task'; got '{draft.Kind}'."];
        }

        var subject = DraftText.Text(draft.Subject, "subject", Activity.MaxSubjectLength, errors, required: true);
        if (draft.DueAt is null)
        {
            errors["dueAt"] = ["dueAt is required: when the call, meeting or task is due (ISO 8601 with an offset)."];
        }

        if (draft.RemindAt is { } remind && draft.DueAt is { } due && remind > due)
        {
            errors["remindAt"] = ["remindAt is before or at dueAt: a reminder comes before the thing it reminds of."];
        }

        await using var command = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "Id" = $1),
                   $2::bigint IS NULL OR EXISTS (SELECT 1 FROM office_customers WHERE "Id" = $2),
                   (SELECT "CustomerId" FROM office_deals WHERE "Id" = $3)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = (object?)ownerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)draft.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)draft.DealId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            if (ownerId is null)
            {
                errors["ownerId"] = ["ownerId is required: the user id of the person the activity is for."];
            }
            else if (!reader.GetBoolean(0))
            {
                errors["ownerId"] = [$"ownerId '{ownerId}' is no person's user id."];
            }

            if (!reader.GetBoolean(1))
            {
                errors["customerId"] = [$"customerId {draft.CustomerId} is no customer."];
            }

            if (draft.DealId is not null && reader.IsDBNull(2))
            {
                errors["dealId"] = [$"dealId {draft.DealId} is no deal."];
            }
            else if (draft.DealId is not null && draft.CustomerId is { } customer && reader.GetInt64(2) != customer)
            {
                errors["dealId"] = [$"dealId {draft.DealId} is a deal with another customer than {customer}."];
            }
        }

        return errors.Count == 0 ? new(kind!.Value, subject!, draft.DueAt!.Value) : null;
    }

    private static void AddFields(NpgsqlParameterCollection parameters, Fields fields, string ownerId, ActivityDraft draft)
    {
        parameters.Add(new() { Value = (short)fields.Kind });
        parameters.Add(new() { Value = fields.Subject });
        // Npgsql writes only UTC offsets to timestamptz; the instant is the same.
        parameters.Add(new() { Value = fields.DueAt.ToUniversalTime() });
        parameters.Add(new() { Value = ownerId });
        parameters.Add(new() { Value = (object?)draft.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        parameters.Add(new() { Value = (object?)draft.DealId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        parameters.Add(new() { Value = draft.Done });
        parameters.Add(new() { Value = (object?)draft.RemindAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }

    private static string[] Changed(Activity before, Activity after) =>
    [
        .. new (string Name, bool Changed)[]
        {
            ("kind", before.Kind != after.Kind), ("subject", before.Subject != after.Subject), ("dueAt", before.DueAt != after.DueAt),
            ("ownerId", before.OwnerId != after.OwnerId), ("customerId", before.CustomerId != after.CustomerId), ("dealId", before.DealId != after.DealId),
            ("done", before.Done != after.Done), ("remindAt", before.RemindAt != after.RemindAt),
        }.Where(p => p.Changed).Select(p => p.Name),
    ];

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<List<Activity>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var list = new List<Activity>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new(reader.GetInt64(0), (ActivityKind)reader.GetInt16(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetBoolean(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                reader.GetFieldValue<DateTimeOffset>(10), reader.GetString(11), reader.GetFieldValue<DateTimeOffset>(12), reader.GetInt32(13)));
        }

        return list;
    }
}
