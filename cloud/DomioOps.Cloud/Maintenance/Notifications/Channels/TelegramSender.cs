using System.Net.Http.Json;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>
/// Telegram's bot API <c>sendMessage</c> (POST <c>{BaseUrl}bot{token}/sendMessage</c>, JSON <c>chat_id</c> and <c>text</c>;
/// the answer is <c>{"ok":true,…}</c>); 429 and 5xx are retried, other errors are refusals.
/// </summary>
internal sealed class TelegramSender(IHttpClientFactory clients, IOptionsMonitor<NotificationOptions> options) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Telegram;

    public async Task SendAsync(Delivery delivery, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        // Joined as text: a token ("123456:ABC…") as a relative URI would read as a scheme.
        var url = new Uri($"{settings.Telegram.BaseUrl.AbsoluteUri.TrimEnd('/')}/bot{settings.Telegram.BotToken}/sendMessage");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["chat_id"] = delivery.Target, ["text"] = $"{delivery.Subject}\n\n{delivery.Body}" }),
        };
        var answer = await HttpSend.SendAsync(clients.CreateClient(WebhookSender.Client), request, "Telegram sendMessage", settings.RequestTimeout, ct).ConfigureAwait(false);
        using var json = System.Text.Json.JsonDocument.Parse(answer);
        if (!json.RootElement.TryGetProperty("ok", out var ok) || !ok.GetBoolean())
        {
            throw new NotificationRefused($"Telegram did not accept the message: {answer}");
        }
    }
}
