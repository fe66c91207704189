namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>Sends a delivery over one channel; throws when it did not go (<see cref="NotificationRefused"/>: never retried).</summary>
internal interface INotificationSender
{
    NotificationChannel Channel { get; }

    Task SendAsync(Delivery delivery, CancellationToken ct);
}

/// <summary>The far end refused the message for good (a 4xx, an unknown mailbox): retrying would not help.</summary>
internal sealed class NotificationRefused(string message) : InvalidOperationException(message);
