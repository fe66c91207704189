using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>
/// A JSON POST of the message (the delivery's payload) signed as <see cref="WebhookSignature"/> says. 2xx is sent; 408,
/// 429, 5xx and timeouts are retried; any other status is a refusal.
/// </summary>
internal sealed class WebhookSender(IHttpClientFactory clients, IOptionsMonitor<NotificationOptions> options, TimeProvider time) : INotificationSender
{
    public const string Client = "maintenance-notifications";

    public NotificationChannel Channel => NotificationChannel.Webhook;

    public async Task SendAsync(Delivery delivery, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var secret = settings.Receivers.GetValueOrDefault(delivery.Receiver)?.Channels
            .FirstOrDefault(c => c.Channel == NotificationChannel.Webhook && c.Address == delivery.Target)?.Secret
            ?? throw new NotificationRefused($"Receiver {delivery.Receiver} has no webhook {delivery.Target} any more.");
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(CultureInfo.InvariantCulture));
        await HttpSend.SendAsync(clients.CreateClient(Client), request, new Uri(delivery.Target).GetLeftPart(UriPartial.Path), settings.RequestTimeout, ct).ConfigureAwait(false);
    }
}

/// <summary>An HTTP request with a timeout, its status sorted into sent, retried (throws) and refused (throws <see cref="NotificationRefused"/>).</summary>
internal static class HttpSend
{
    /// <param name="name">What the errors call the far end (never a URL with a secret in it).</param>
    public static async Task<string> SendAsync(HttpClient client, HttpRequestMessage request, string name, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{name} did not answer within {timeout}.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text;
            }

            var status = (int)response.StatusCode;
            var detail = text.Length > 300 ? text[..300] : text;
            if (status is >= 500 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests)
            {
                throw new HttpRequestException($"{name} answered {status}: {detail}", null, response.StatusCode);
            }

            throw new NotificationRefused($"{name} refused with {status}: {detail}");
        }
    }
}
