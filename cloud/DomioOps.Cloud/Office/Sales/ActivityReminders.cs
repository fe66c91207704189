using System.Globalization;
using System.Text.Json;

using DomioOps.Cloud.Maintenance.Notifications;

using Npgsql;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// Rings an activity's owner's bell (the maintenance notifications' <c>BellSender</c>) once its reminder time has
/// passed. Every silo runs this loop; a reminder is claimed with <c>FOR UPDATE SKIP LOCKED</c> and marked reminded in
/// the same transaction, so two loops never both take it. Should a silo die between the bell and the commit, the next
/// claim writes the bell row again under the same delivery id, which the bell keeps once: a reminder rings exactly once.
/// </summary>
internal sealed partial class ActivityReminders(
    NpgsqlDataSource dataSource,
    IEnumerable<INotificationSender> senders,
    TimeProvider time,
    ILogger<ActivityReminders> logger) : BackgroundService
{
    /// <summary>How often the loop looks for reminders due.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);

    private const int Batch = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly INotificationSender _bell = senders.Single(s => s.Channel == NotificationChannel.Bell);

    /// <summary>
    /// The bell's delivery id of a reminder: negative, so it never meets an outbox delivery's (an identity from 1), and
    /// with the activity's version, so a reminder moved by an edit rings again.
    /// </summary>
    public static long DeliveryId(long activityId, int version) => -((activityId << 20) | (uint)(version & 0xFFFFF));

    /// <summary>Rings every reminder due now that no other loop holds; returns how many rang.</summary>
    public async Task<int> RingDueAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var due = new List<(long Id, int Version, string Owner, string Subject, ActivityKind Kind, DateTimeOffset DueAt)>();
        await using (var claim = new NpgsqlCommand($"""
            SELECT "Id", "Version", "OwnerId", "Subject", "Kind", "DueAt" FROM office_activities
            WHERE "RemindedAt" IS NULL AND "RemindAt" IS NOT NULL AND NOT "Done" AND "RemindAt" <= $1
            ORDER BY "RemindAt" LIMIT {Batch} FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.Add(new() { Value = now });
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                due.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), (ActivityKind)reader.GetInt16(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        foreach (var (id, version, owner, subject, kind, dueAt) in due)
        {
            var link = "/office/activities";
            var payload = JsonSerializer.Serialize(new { firing = new[] { new { link } } }, Json);
            var body = string.Create(CultureInfo.InvariantCulture, $"{kind}: {subject} — {dueAt:yyyy-MM-dd HH:mm} UTC");
            try
            {
                await _bell.SendAsync(new Delivery(DeliveryId(id, version), now, "office-activity", NotificationChannel.Bell, owner, AlertSeverity.Info,
                    $"Напоминание / Reminder: {subject}", body, payload, 0), ct);
            }
            catch (NotificationRefused e)
            {
                // The owner is no longer a person (deleted): nobody's bell to ring; the reminder is spent all the same.
                LogRefused(id, e.Message);
            }
        }

        if (due.Count > 0)
        {
            await using var mark = new NpgsqlCommand("""UPDATE office_activities SET "RemindedAt" = $1 WHERE "Id" = ANY($2)""", connection, transaction);
            mark.Parameters.Add(new() { Value = now });
            mark.Parameters.Add(new() { Value = due.Select(d => d.Id).ToArray() });
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return due.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RingDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogFailed(e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reminder of activity {Id} rang no bell: {Reason}")]
    private partial void LogRefused(long id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ring the activities' reminders ({Reason}); trying again")]
    private partial void LogFailed(string reason);
}
