using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Maintenance.Notifications.Channels;
using DomioOps.Cloud.Tests.Storage;

using Microsoft.AspNetCore.Http;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>Signed webhooks and Telegram's sendMessage against local Kestrel endpoints that check what they get and fail on purpose.</summary>
public sealed class WebhookDeliveryTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const string Secret = "0123456789abcdef-webhook";

    [Fact]
    public void Sign_KnownVector_MatchesHmacSha256OfTimestampDotBody()
    {
        // From Python: hmac.new(b'0123456789abcdef', b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        Assert.Equal("sha256=9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa818657897a7437c1cd8c3a23",
            WebhookSignature.Sign("0123456789abcdef", 1_700_000_000, "{\"a\":1}"u8));
    }

    [Fact]
    public async Task RunOnce_EndpointFailsTwiceWith503_ThirdSignedAttemptSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        var received = new ConcurrentQueue<(string Timestamp, string Signature, string Delivery, string Body, bool Valid)>();
        await using var endpoint = await LocalHttpEndpoint.StartAsync(async http =>
        {
            var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted);
            var timestamp = http.Request.Headers["X-Domio-Timestamp"].ToString();
            var signature = http.Request.Headers["X-Domio-Signature"].ToString();
            // Checked here independently of WebhookSignature: HMAC-SHA256 over "timestamp.body".
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
            received.Enqueue((timestamp, signature, http.Request.Headers["X-Domio-Delivery"].ToString(), body, expected == signature));
            http.Response.StatusCode = received.Count <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status204NoContent;
        }, ct);
        await using var stack = await NotificationStack.CreateAsync(database, Options(new Uri(endpoint.BaseAddress, "hooks/domio")), ct);
        await stack.PublishAsync(NotificationStack.Notice(21), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));   // 08:00:00, 503; next after 7.5 s
        stack.Time.Advance(TimeSpan.FromSeconds(7.5));
        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));   // 08:00:07.5, 503; next after 2 · 10 s, half times 0.5: 15 s
        stack.Time.Advance(TimeSpan.FromSeconds(14.5));
        Assert.Equal(0, await stack.Dispatcher.RunOnceAsync(ct));
        stack.Time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));   // 08:00:22.5, 204

        var requests = received.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.All(requests, r => Assert.True(r.Valid, $"signature {r.Signature} of {r.Timestamp}"));
        var delivery = await stack.OnlyDeliveryAsync(ct);
        Assert.All(requests, r => Assert.Equal(delivery.Id.ToString(CultureInfo.InvariantCulture), r.Delivery));
        Assert.Equal(["1772438400", "1772438407", "1772438422"], requests.Select(r => r.Timestamp));
        using var json = JsonDocument.Parse(requests[2].Body);
        Assert.Equal("Group", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(21, json.RootElement.GetProperty("firing")[0].GetProperty("alertId").GetInt64());
        Assert.Equal("saw-1", json.RootElement.GetProperty("firing")[0].GetProperty("machine").GetString());
        Assert.Equal(("Sent", 3, (string?)null), (delivery.Status, delivery.Attempts, delivery.LastError));
        var attempts = await stack.Outbox.AttemptsAsync(delivery.Id, ct);
        Assert.Equal([true, true, false], attempts.Select(a => a.Error?.Contains("503", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task RunOnce_EndpointDoesNotAnswerInTime_TimeoutRecordedAndRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = 0;
        await using var endpoint = await LocalHttpEndpoint.StartAsync(async http =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted); // the first never answers: the sender gives up
            }

            http.Response.StatusCode = StatusCodes.Status204NoContent;
        }, ct);
        var options = Options(new Uri(endpoint.BaseAddress, "hooks/domio"));
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.PublishAsync(NotificationStack.Notice(25), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));
        var waiting = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Pending", (DateTimeOffset?)NotificationStack.Start.AddSeconds(7.5)), (waiting.Status, waiting.NextAttemptAt));
        Assert.EndsWith("hooks/domio did not answer within 00:00:00.3000000.", waiting.LastError, StringComparison.Ordinal);
        stack.Time.Advance(TimeSpan.FromSeconds(7.5));
        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        var sent = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Sent", 2), (sent.Status, sent.Attempts));
    }

    [Fact]
    public async Task RunOnce_EndpointAlways503_FailedAfterMaxAttemptsWithLastError()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var endpoint = await LocalHttpEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return http.Response.WriteAsync("down for maintenance", http.RequestAborted);
        }, ct);
        var options = Options(new Uri(endpoint.BaseAddress, "hooks/domio"));
        options.Delivery.MaxAttempts = 3;
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.PublishAsync(NotificationStack.Notice(22), ct);

        foreach (var wait in new[] { 0, 7.5, 15 })
        {
            stack.Time.Advance(TimeSpan.FromSeconds(wait));
            Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));
        }

        stack.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await stack.Dispatcher.RunOnceAsync(ct));
        var failed = Assert.Single(await stack.Outbox.ListAsync("Failed", 10, ct));
        Assert.Equal((3, (DateTimeOffset?)NotificationStack.Start.AddSeconds(22.5)), (failed.Attempts, failed.LastAttemptAt));
        Assert.EndsWith("hooks/domio answered 503: down for maintenance", failed.LastError, StringComparison.Ordinal);

        // A hand retry gives it one more attempt (it fails again: the endpoint is still down).
        Assert.True(await stack.Outbox.RetryAsync(failed.Id, ct));
        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));
        var again = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Failed", 4), (again.Status, again.Attempts));
    }

    [Fact]
    public async Task RunOnce_EndpointAnswers400_RefusedWithoutRetry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var endpoint = await LocalHttpEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }, ct);
        await using var stack = await NotificationStack.CreateAsync(database, Options(new Uri(endpoint.BaseAddress, "hooks/domio")), ct);
        await stack.PublishAsync(NotificationStack.Notice(23), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        var failed = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Failed", 1), (failed.Status, failed.Attempts));
        Assert.EndsWith("hooks/domio refused with 400: ", failed.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_Telegram_SendMessageWithChatIdAndTextThenBotApiErrorIsARefusal()
    {
        var ct = TestContext.Current.CancellationToken;
        var received = new ConcurrentQueue<(string Path, string ChatId, string Text)>();
        await using var endpoint = await LocalHttpEndpoint.StartAsync(async http =>
        {
            using var json = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var chat = json.RootElement.GetProperty("chat_id").GetString()!;
            received.Enqueue((http.Request.Path.Value!, chat, json.RootElement.GetProperty("text").GetString()!));
            http.Response.ContentType = "application/json";
            if (chat == "-100")
            {
                http.Response.StatusCode = StatusCodes.Status200OK;
                await http.Response.WriteAsync("""{"ok":true,"result":{"message_id":1,"chat":{"id":-100,"type":"group"},"date":1772438400,"text":"…"}}""", http.RequestAborted);
            }
            else
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsync("""{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""", http.RequestAborted);
            }
        }, ct);
        var options = new NotificationOptions
        {
            Telegram = new TelegramOptions { BaseUrl = endpoint.BaseAddress, BotToken = "123456:ABC-token" },
            Rules = [NotificationStack.RuleFor("team")],
        };
        options.Receivers["team"] = new NotificationReceiver
        {
            Channels = [new NotificationTarget { Channel = NotificationChannel.Telegram, Address = "-100" }, new NotificationTarget { Channel = NotificationChannel.Telegram, Address = "-200" }],
        };
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.PublishAsync(NotificationStack.Notice(24), ct);

        Assert.Equal(2, await stack.Dispatcher.RunOnceAsync(ct));

        var requests = received.OrderBy(r => r.ChatId, StringComparer.Ordinal).ToArray();
        Assert.Equal(["/bot123456:ABC-token/sendMessage", "/bot123456:ABC-token/sendMessage"], requests.Select(r => r.Path));
        Assert.StartsWith("[Warning] saw-1: Spindle bearing wear\n\nFiring:\n- [Warning] saw-1 (saw): Spindle bearing wear", requests[0].Text, StringComparison.Ordinal);
        var deliveries = (await stack.Outbox.ListAsync(null, 10, ct)).OrderBy(d => d.Target, StringComparer.Ordinal).ToList();
        Assert.Equal([("-100", "Sent"), ("-200", "Failed")], deliveries.Select(d => (d.Target, d.Status)));
        Assert.Equal("Telegram sendMessage refused with 400: {\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}", deliveries[1].LastError);
    }

    private static NotificationOptions Options(Uri url)
    {
        var options = new NotificationOptions { Rules = [NotificationStack.RuleFor("hook")] };
        options.Receivers["hook"] = new NotificationReceiver
        {
            Channels = [new NotificationTarget { Channel = NotificationChannel.Webhook, Address = url.ToString(), Secret = Secret }],
        };
        return options;
    }
}
