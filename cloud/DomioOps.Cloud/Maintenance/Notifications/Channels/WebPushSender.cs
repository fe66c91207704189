using System.Net;
using System.Text.Json;

using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>
/// Web push (RFC 8030) to every browser the person subscribed, encrypted (RFC 8291, aes128gcm) and signed with the
/// server's VAPID key (RFC 8292, <c>Authorization: vapid t=JWT, k=key</c>); a subscription the push service says is gone
/// (404, 410) is forgotten. A person with no subscription is a refusal; any other failure is retried.
/// </summary>
internal sealed class WebPushSender(IHttpClientFactory clients, NotificationOutbox outbox, IOptionsMonitor<NotificationOptions> options) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.WebPush;

    public async Task SendAsync(Delivery delivery, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var subscriptions = await outbox.SubscriptionsAsync(delivery.Target, ct).ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            throw new NotificationRefused($"User {delivery.Target} has no browser subscribed to web push.");
        }

        var client = new PushServiceClient(clients.CreateClient(WebhookSender.Client))
        {
            DefaultAuthentication = new VapidAuthentication(settings.WebPush.PublicKey, settings.WebPush.PrivateKey) { Subject = settings.WebPush.Subject },
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            DefaultTimeToLive = (int)settings.Delivery.MaxAge.TotalSeconds,
        };
        var content = JsonSerializer.Serialize(new { title = delivery.Subject, body = delivery.Body, link = BellSender.LinkOf(delivery.Payload) });
        var message = new PushMessage(content)
        {
            Urgency = delivery.Severity == AlertSeverity.Critical ? PushMessageUrgency.High : PushMessageUrgency.Normal,
        };
        var failures = new List<string>();
        foreach (var keys in subscriptions)
        {
            var subscription = new PushSubscription { Endpoint = keys.Endpoint };
            subscription.SetKey(PushEncryptionKeyName.P256DH, keys.P256dh);
            subscription.SetKey(PushEncryptionKeyName.Auth, keys.Auth);
            try
            {
                await client.RequestPushMessageDeliveryAsync(subscription, message, ct).ConfigureAwait(false);
            }
            catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                await outbox.UnsubscribeAsync(keys.Endpoint, ct).ConfigureAwait(false);
            }
            catch (PushServiceClientException e)
            {
                failures.Add($"{new Uri(keys.Endpoint).GetLeftPart(UriPartial.Authority)} answered {(int)e.StatusCode}: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new HttpRequestException(string.Join("; ", failures));
        }
    }
}
