using MailKit.Net.Smtp;
using MailKit.Security;

using Microsoft.Extensions.Options;

using MimeKit;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>E-mail over SMTP (MailKit): one connection per message; a 5xx reply is a refusal, anything else is retried.</summary>
internal sealed class EmailSender(IOptionsMonitor<NotificationOptions> options) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public async Task SendAsync(Delivery delivery, CancellationToken ct)
    {
        var smtp = options.CurrentValue.Smtp;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Subject = delivery.Subject;
        message.Headers.Add("X-Domio-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Body = new TextPart("plain") { Text = delivery.Body };

        using var client = new SmtpClient { Timeout = (int)options.CurrentValue.RequestTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host ?? "", smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security), ct).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct).ConfigureAwait(false);
            }

            await client.SendAsync(message, ct).ConfigureAwait(false);
            await client.DisconnectAsync(true, ct).ConfigureAwait(false);
        }
        catch (SmtpCommandException e)
        {
            // RFC 5321 4.2.1: 5yz is a permanent refusal, 4yz a transient one (retried).
            var detail = $"SMTP {(int)e.StatusCode} for {delivery.Target}: {e.Message}";
            throw (int)e.StatusCode >= 500 ? new NotificationRefused(detail) : new IOException(detail, e);
        }
    }
}
