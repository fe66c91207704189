using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Tests.Storage;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>Alerts to e-mail through the outbox, MailKit and the npm smtp-server sink, on a virtual clock.</summary>
public sealed class EmailDeliveryTests(MigratedDatabase database, SmtpSink sink) : IClassFixture<MigratedDatabase>, IClassFixture<SmtpSink>
{
    [Fact]
    public async Task RunOnce_RaisedAlert_MailInTheSinkAndDeliverySent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await NotificationStack.CreateAsync(database, Options("team@example.com"), ct);
        await stack.PublishAsync(NotificationStack.Notice(7), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        var mail = Assert.Single(sink.MessagesTo("team@example.com"));
        Assert.Equal("[Warning] saw-1: Spindle bearing wear", mail.Subject);
        Assert.Equal("domio@example.com", mail.From.Mailboxes.Single().Address);
        Assert.Equal(
            "Firing:\n- [Warning] saw-1 (saw): Spindle bearing wear\n  Spindle vibration up 40 % over 6 h; failure likely within 24 h (p = 0.87).\n  /maintenance/alerts/7",
            mail.TextBody?.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n'));
        var delivery = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Sent", 1, (string?)null, (DateTimeOffset?)NotificationStack.Start), (delivery.Status, delivery.Attempts, delivery.LastError, delivery.SentAt));
        Assert.Equal(mail.Headers["X-Domio-Delivery"], delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RunOnce_SinkAnswers451_RetriedAfterBackoffAndEveryAttemptRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await NotificationStack.CreateAsync(database, Options("retry-lead@example.com"), ct);
        await stack.PublishAsync(NotificationStack.Notice(8, severity: AlertSeverity.Critical), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));
        var waiting = await stack.OnlyDeliveryAsync(ct);
        // Back-off after attempt 1: InitialBackoff 10 s, half fixed and half times the jitter 0.5: 7.5 s.
        Assert.Equal(("Pending", 1, (DateTimeOffset?)NotificationStack.Start.AddSeconds(7.5)), (waiting.Status, waiting.Attempts, waiting.NextAttemptAt));
        Assert.Contains("451", waiting.LastError, StringComparison.Ordinal);
        Assert.Empty(sink.MessagesTo("retry-lead@example.com"));

        stack.Time.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(0, await stack.Dispatcher.RunOnceAsync(ct));
        stack.Time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        Assert.Equal("[Critical] saw-1: Spindle bearing wear", Assert.Single(sink.MessagesTo("retry-lead@example.com")).Subject);
        var sent = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Sent", 2, (string?)null), (sent.Status, sent.Attempts, sent.LastError));
        var attempts = await stack.Outbox.AttemptsAsync(sent.Id, ct);
        Assert.Equal([1, 2], attempts.Select(a => a.Number));
        Assert.Equal([NotificationStack.Start, NotificationStack.Start.AddSeconds(7.5)], attempts.Select(a => a.At));
        Assert.Contains("451", attempts[0].Error, StringComparison.Ordinal);
        Assert.Null(attempts[1].Error);
    }

    [Fact]
    public async Task RunOnce_SinkAnswers550_FailedAtOnceAndListedWithTheError()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await NotificationStack.CreateAsync(database, Options("refuse-me@example.com"), ct);
        await stack.PublishAsync(NotificationStack.Notice(9), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        var failed = Assert.Single(await stack.Outbox.ListAsync("Failed", 10, ct));
        Assert.Equal((1, (DateTimeOffset?)null), (failed.Attempts, failed.NextAttemptAt));
        Assert.StartsWith("SMTP 550 for refuse-me@example.com", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(await stack.Outbox.ListAsync("Pending", 10, ct));
    }

    private NotificationOptions Options(string address)
    {
        var options = new NotificationOptions
        {
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = sink.Port, Security = "None", From = "domio@example.com" },
            Rules = [NotificationStack.RuleFor("team")],
        };
        options.Receivers["team"] = new NotificationReceiver { Channels = [new NotificationTarget { Channel = NotificationChannel.Email, Address = address }] };
        return options;
    }
}
