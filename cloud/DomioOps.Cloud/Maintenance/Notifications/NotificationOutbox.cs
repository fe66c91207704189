using System.Text.Json;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>A row of the outbox: one message to one channel target of one receiver.</summary>
internal sealed record Delivery(long Id, DateTimeOffset CreatedAt, string Receiver, NotificationChannel Channel, string Target,
    AlertSeverity Severity, string Subject, string Body, string Payload, int Attempts);

/// <summary>A delivery as the API shows it: where it stands, how many attempts, the last error.</summary>
public sealed record DeliveryStatus(long Id, DateTimeOffset CreatedAt, string Rule, string Kind, string Receiver, string Channel, string Target,
    string Severity, string Subject, string Status, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, string? LastError,
    DateTimeOffset? SentAt);

/// <summary>One attempt to send a delivery; <paramref name="Error"/> null when it went.</summary>
public sealed record DeliveryAttempt(int Number, DateTimeOffset At, string? Error);

/// <summary>
/// The notifications' tables (Storage/Sql/0015-notifications.sql): the outbox the timeline's decisions are written to,
/// the attempts the dispatcher records, and (in <c>NotificationOutbox.Bell.cs</c>) the bell and push subscriptions.
/// </summary>
internal sealed partial class NotificationOutbox(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Pending = "Pending";
    public const string Sent = "Sent";
    public const string Failed = "Failed";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>
    /// Writes the decided messages, one row per channel target (a role is every person holding it, looked up now), in one
    /// transaction. A target that cannot be resolved (no such user, nobody in the role) is written as failed with the
    /// reason, so that it is seen rather than lost.
    /// </summary>
    public async Task<int> EnqueueAsync(IReadOnlyList<AlertNotification> messages, NotificationOptions options, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var rows = 0;
        foreach (var message in messages)
        {
            if (!options.Receivers.TryGetValue(message.Receiver, out var receiver))
            {
                continue; // the validator makes every named receiver exist
            }

            var payload = JsonSerializer.Serialize(new
            {
                message.Kind,
                message.Rule,
                message.GroupKey,
                message.Receiver,
                message.At,
                message.EscalationStep,
                Severity = message.Severity,
                message.Subject,
                message.Firing,
                message.Resolved,
            }, Json);
            foreach (var target in receiver.Channels)
            {
                foreach (var (address, error) in await ResolveAsync(connection, target, ct).ConfigureAwait(false))
                {
                    await using var insert = new NpgsqlCommand("""
                        INSERT INTO maintenance_notification_deliveries ("CreatedAt", "Rule", "GroupKey", "Kind", "Receiver", "Channel", "Target",
                            "Severity", "Subject", "Body", "Payload", "Status", "NextAttemptAt", "LastError")
                        VALUES (@now, @rule, @group, @kind, @receiver, @channel, @target, @severity, @subject, @body, @payload, @status, @now, @error)
                        """, connection, transaction);
                    insert.Parameters.AddWithValue("now", now);
                    insert.Parameters.AddWithValue("rule", message.Rule);
                    insert.Parameters.AddWithValue("group", message.GroupKey);
                    insert.Parameters.AddWithValue("kind", message.Kind.ToString());
                    insert.Parameters.AddWithValue("receiver", message.Receiver);
                    insert.Parameters.AddWithValue("channel", target.Channel.ToString());
                    insert.Parameters.AddWithValue("target", address);
                    insert.Parameters.AddWithValue("severity", message.Severity.ToString());
                    insert.Parameters.AddWithValue("subject", message.Subject);
                    insert.Parameters.AddWithValue("body", message.Body);
                    insert.Parameters.AddWithValue("payload", NpgsqlDbType.Jsonb, payload);
                    insert.Parameters.AddWithValue("status", error is null ? Pending : Failed);
                    insert.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
                    rows += await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Takes up to <paramref name="batch"/> pending deliveries due by now and leases them until <paramref name="leaseUntil"/>
    /// (another silo skips them; a silo that dies lets them come back when the lease ends).
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int batch, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE maintenance_notification_deliveries d SET "NextAttemptAt" = @lease
            WHERE d."Id" IN (SELECT "Id" FROM maintenance_notification_deliveries WHERE "Status" = 'Pending' AND "NextAttemptAt" <= @now
                             ORDER BY "NextAttemptAt", "Id" LIMIT @batch FOR UPDATE SKIP LOCKED)
            RETURNING d."Id", d."CreatedAt", d."Receiver", d."Channel", d."Target", d."Severity", d."Subject", d."Body", d."Payload"::text, d."Attempts"
            """);
        command.Parameters.AddWithValue("lease", leaseUntil);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("batch", batch);
        var claimed = new List<Delivery>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            claimed.Add(new Delivery(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), Enum.Parse<NotificationChannel>(reader.GetString(3)),
                reader.GetString(4), Enum.Parse<AlertSeverity>(reader.GetString(5)), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetInt32(9)));
        }

        return [.. claimed.OrderBy(d => d.Id)];
    }

    /// <summary>Records attempt <paramref name="number"/>: sent (no error), due again at <paramref name="retryAt"/>, or failed for good.</summary>
    public async Task RecordAsync(long id, int number, DateTimeOffset at, string? error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        var status = error is null ? Sent : retryAt is null ? Failed : Pending;
        await using var batch = dataSource.CreateBatch();
        var update = new NpgsqlBatchCommand("""
            UPDATE maintenance_notification_deliveries SET "Status" = @status, "Attempts" = @number, "LastAttemptAt" = @at, "LastError" = @error,
                "NextAttemptAt" = COALESCE(@retry, "NextAttemptAt"), "SentAt" = CASE WHEN @status = 'Sent' THEN @at ELSE "SentAt" END
            WHERE "Id" = @id
            """);
        update.Parameters.AddWithValue("status", status);
        update.Parameters.AddWithValue("number", number);
        update.Parameters.AddWithValue("at", at);
        update.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        update.Parameters.AddWithValue("retry", NpgsqlDbType.TimestampTz, (object?)retryAt ?? DBNull.Value);
        update.Parameters.AddWithValue("id", id);
        var attempt = new NpgsqlBatchCommand("""
            INSERT INTO maintenance_notification_attempts ("DeliveryId", "Number", "At", "Error") VALUES (@id, @number, @at, @error)
            """);
        attempt.Parameters.AddWithValue("id", id);
        attempt.Parameters.AddWithValue("number", number);
        attempt.Parameters.AddWithValue("at", at);
        attempt.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(attempt);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>When the earliest pending delivery is due; null when none waits.</summary>
    public async Task<DateTimeOffset?> NextAttemptAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT min("NextAttemptAt") FROM maintenance_notification_deliveries WHERE "Status" = 'Pending'""");
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    /// <summary>Deliveries, newest first, optionally of one status.</summary>
    public async Task<IReadOnlyList<DeliveryStatus>> ListAsync(string? status, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Id", "CreatedAt", "Rule", "Kind", "Receiver", "Channel", "Target", "Severity", "Subject", "Status", "Attempts",
                   CASE WHEN "Status" = 'Pending' THEN "NextAttemptAt" END, "LastAttemptAt", "LastError", "SentAt"
            FROM maintenance_notification_deliveries WHERE @status::text IS NULL OR "Status" = @status ORDER BY "Id" DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("status", NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        var list = new List<DeliveryStatus>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DeliveryStatus(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt32(10),
                Nullable(reader, 11), Nullable(reader, 12), reader.IsDBNull(13) ? null : reader.GetString(13), Nullable(reader, 14)));
        }

        return list;
    }

    /// <summary>The attempts of one delivery, first first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> AttemptsAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Number", "At", "Error" FROM maintenance_notification_attempts WHERE "DeliveryId" = @id ORDER BY "Number", "Id"
            """);
        command.Parameters.AddWithValue("id", id);
        var list = new List<DeliveryAttempt>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DeliveryAttempt(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return list;
    }

    /// <summary>
    /// Puts a failed delivery back in the queue, due now, for one more attempt (its attempts and age are kept, so another
    /// failure fails it again); false when it is not failed.
    /// </summary>
    public async Task<bool> RetryAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE maintenance_notification_deliveries SET "Status" = 'Pending', "NextAttemptAt" = @now
            WHERE "Id" = @id AND "Status" = 'Failed'
            """);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>The addresses a target stands for, or one failed row with the reason.</summary>
    private static async Task<IReadOnlyList<(string Address, string? Error)>> ResolveAsync(NpgsqlConnection connection, NotificationTarget target, CancellationToken ct)
    {
        var byEmail = target.Channel == NotificationChannel.Email;
        if (target.Role is { Length: > 0 } role)
        {
            await using var command = new NpgsqlCommand("""
                SELECT u."Id", u."Email" FROM "AspNetUsers" u JOIN "AspNetUserRoles" ur ON ur."UserId" = u."Id" JOIN "AspNetRoles" r ON r."Id" = ur."RoleId"
                WHERE r."NormalizedName" = upper(@role) ORDER BY u."UserName"
                """, connection);
            command.Parameters.AddWithValue("role", role);
            var members = new List<(string, string?)>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var address = byEmail ? (reader.IsDBNull(1) ? null : reader.GetString(1)) : reader.GetString(0);
                    if (address is not null)
                    {
                        members.Add((address, null));
                    }
                }
            }

            return members.Count > 0 ? members : [($"role:{role}", $"Nobody holding role {role} has {(byEmail ? "an e-mail address" : "an account")}.")];
        }

        var name = target.Address ?? "";
        if (target.Channel is NotificationChannel.Bell or NotificationChannel.WebPush)
        {
            await using var command = new NpgsqlCommand("""SELECT "Id" FROM "AspNetUsers" WHERE "NormalizedUserName" = upper(@name)""", connection);
            command.Parameters.AddWithValue("name", name);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string id ? [(id, null)] : [($"user:{name}", $"No user is named {name}.")];
        }

        return [(name, null)];
    }
}
