using System.Text.Json;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>The in-app bell: the message is written to the person's bell (the delivery's target is their user id).</summary>
internal sealed class BellSender(NotificationOutbox outbox) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Bell;

    public async Task SendAsync(Delivery delivery, CancellationToken ct)
    {
        if (!await outbox.WriteBellAsync(delivery, LinkOf(delivery.Payload), ct).ConfigureAwait(false))
        {
            throw new NotificationRefused($"No person has the user id {delivery.Target}: nobody's bell to ring.");
        }
    }

    /// <summary>The link of the message's first firing alert, else of its first resolved one.</summary>
    internal static string? LinkOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        foreach (var list in new[] { "firing", "resolved" })
        {
            if (json.RootElement.TryGetProperty(list, out var alerts) && alerts.GetArrayLength() > 0 && alerts[0].TryGetProperty("link", out var link))
            {
                return link.GetString();
            }
        }

        return null;
    }
}
