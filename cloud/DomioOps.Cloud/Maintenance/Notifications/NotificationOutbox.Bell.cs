using Npgsql;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>A message in a person's bell.</summary>
public sealed record BellNotification(long Id, string Severity, string Subject, string Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

/// <summary>A browser's push subscription (the PushSubscription's endpoint and keys).</summary>
public sealed record PushSubscriptionKeys(string Endpoint, string P256dh, string Auth);

/// <summary>The bell's rows and the browsers' push subscriptions, per person (user id).</summary>
internal sealed partial class NotificationOutbox
{
    /// <summary>
    /// Writes the bell row of a delivery (once: a retried delivery finds it there); false when the delivery's target is
    /// no person (a failed delivery to an unknown name, tried again).
    /// </summary>
    public async Task<bool> WriteBellAsync(Delivery delivery, string? link, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            WITH person AS (SELECT 1 FROM "AspNetUsers" WHERE "Id" = @user),
            written AS (
                INSERT INTO maintenance_notification_bell ("UserId", "DeliveryId", "Severity", "Subject", "Body", "Link", "CreatedAt")
                SELECT @user, @delivery, @severity, @subject, @body, @link, @now WHERE EXISTS (SELECT 1 FROM person)
                ON CONFLICT ("DeliveryId") DO NOTHING)
            SELECT EXISTS (SELECT 1 FROM person)
            """);
        command.Parameters.AddWithValue("user", delivery.Target);
        command.Parameters.AddWithValue("delivery", delivery.Id);
        command.Parameters.AddWithValue("severity", delivery.Severity.ToString());
        command.Parameters.AddWithValue("subject", delivery.Subject);
        command.Parameters.AddWithValue("body", delivery.Body);
        command.Parameters.AddWithValue("link", NpgsqlTypes.NpgsqlDbType.Text, (object?)link ?? DBNull.Value);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
    }

    /// <summary>A person's bell, newest first.</summary>
    public async Task<IReadOnlyList<BellNotification>> BellAsync(string userId, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Id", "Severity", "Subject", "Body", "Link", "CreatedAt", "ReadAt" FROM maintenance_notification_bell
            WHERE "UserId" = @user ORDER BY "Id" DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("limit", limit);
        var list = new List<BellNotification>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new BellNotification(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return list;
    }

    /// <summary>How many of a person's bell messages are unread.</summary>
    public async Task<int> UnreadAsync(string userId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FROM maintenance_notification_bell WHERE "UserId" = @user AND "ReadAt" IS NULL
            """);
        command.Parameters.AddWithValue("user", userId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Marks one of a person's bell rows read (or all of them when <paramref name="id"/> is null); returns how many changed.</summary>
    public async Task<int> MarkReadAsync(string userId, long? id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE maintenance_notification_bell SET "ReadAt" = @now WHERE "UserId" = @user AND "ReadAt" IS NULL AND (@id::bigint IS NULL OR "Id" = @id)
            """);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("id", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)id ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Keeps a browser's subscription for a person (the endpoint moves to them if another had it).</summary>
    public async Task SubscribeAsync(string userId, PushSubscriptionKeys keys, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO maintenance_push_subscriptions ("UserId", "Endpoint", "P256dh", "Auth", "CreatedAt") VALUES (@user, @endpoint, @p256dh, @auth, @now)
            ON CONFLICT ("Endpoint") DO UPDATE SET "UserId" = excluded."UserId", "P256dh" = excluded."P256dh", "Auth" = excluded."Auth"
            """);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("endpoint", keys.Endpoint);
        command.Parameters.AddWithValue("p256dh", keys.P256dh);
        command.Parameters.AddWithValue("auth", keys.Auth);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PushSubscriptionKeys>> SubscriptionsAsync(string userId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Endpoint", "P256dh", "Auth" FROM maintenance_push_subscriptions WHERE "UserId" = @user ORDER BY "Id"
            """);
        command.Parameters.AddWithValue("user", userId);
        var list = new List<PushSubscriptionKeys>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new PushSubscriptionKeys(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return list;
    }

    /// <summary>Forgets a subscription the push service says is gone (404/410).</summary>
    public async Task UnsubscribeAsync(string endpoint, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""DELETE FROM maintenance_push_subscriptions WHERE "Endpoint" = @endpoint""");
        command.Parameters.AddWithValue("endpoint", endpoint);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
