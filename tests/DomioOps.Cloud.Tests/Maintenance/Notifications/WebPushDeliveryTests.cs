using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Tests.Storage;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>
/// Web push to a local endpoint standing in for a push service: it checks the VAPID Authorization (RFC 8292: an ES256
/// JWT for the endpoint's origin, signed by the key it names) and the aes128gcm header (RFC 8188), and decrypts the
/// message with the browser's keys (RFC 8291), all with .NET's own cryptography, not the library's.
/// </summary>
public sealed class WebPushDeliveryTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task RunOnce_SubscribedBrowser_SignedEncryptedPushAndGoneSubscriptionForgotten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var vapid = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var vapidPublic = WebEncoders.Base64UrlEncode(PublicPoint(vapid.ExportParameters(false)));
        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var browserPublic = PublicPoint(browser.ExportParameters(false));
        var authSecret = RandomNumberGenerator.GetBytes(16);
        var received = new ConcurrentQueue<(string Path, string Authorization, string Encoding, string Ttl, string Urgency, byte[] Body)>();
        await using var endpoint = await LocalHttpEndpoint.StartAsync(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            received.Enqueue((http.Request.Path.Value!, http.Request.Headers.Authorization.ToString(), http.Request.Headers.ContentEncoding.ToString(),
                http.Request.Headers["TTL"].ToString(), http.Request.Headers["Urgency"].ToString(), body.ToArray()));
            http.Response.StatusCode = http.Request.Path.StartsWithSegments("/gone") ? StatusCodes.Status410Gone : StatusCodes.Status201Created;
        }, ct);
        var options = new NotificationOptions
        {
            WebPush = new WebPushOptions { Subject = "mailto:maintenance@example.com", PublicKey = vapidPublic, PrivateKey = WebEncoders.Base64UrlEncode(vapid.ExportParameters(true).D!) },
            Rules = [NotificationStack.RuleFor("anna")],
        };
        options.Receivers["anna"] = new NotificationReceiver { Channels = [new NotificationTarget { Channel = NotificationChannel.WebPush, Address = "anna" }] };
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.AddPersonAsync("u-anna", "anna", "Maintenance", ct);
        var keys = (WebEncoders.Base64UrlEncode(browserPublic), WebEncoders.Base64UrlEncode(authSecret));
        await stack.Outbox.SubscribeAsync("u-anna", new PushSubscriptionKeys(new Uri(endpoint.BaseAddress, "push/laptop").ToString(), keys.Item1, keys.Item2), ct);
        await stack.Outbox.SubscribeAsync("u-anna", new PushSubscriptionKeys(new Uri(endpoint.BaseAddress, "gone/phone").ToString(), keys.Item1, keys.Item2), ct);
        await stack.PublishAsync(NotificationStack.Notice(41, severity: AlertSeverity.Critical), ct);

        Assert.Equal(1, await stack.Dispatcher.RunOnceAsync(ct));

        var pushes = received.OrderBy(r => r.Path, StringComparer.Ordinal).ToArray();
        Assert.Equal(["/gone/phone", "/push/laptop"], pushes.Select(p => p.Path));
        var push = pushes[1];
        Assert.Equal(("aes128gcm", "86400", "high"), (push.Encoding, push.Ttl, push.Urgency));
        var claims = VerifyVapid(push.Authorization, vapid, vapidPublic);
        Assert.Equal(("http://127.0.0.1", "mailto:maintenance@example.com"), (claims.GetProperty("aud").GetString(), claims.GetProperty("sub").GetString()));
        Assert.True(claims.GetProperty("exp").GetInt64() > NotificationStack.Start.ToUnixTimeSeconds());
        using var message = JsonDocument.Parse(Decrypt(push.Body, browser, browserPublic, authSecret));
        Assert.Equal("[Critical] saw-1: Spindle bearing wear", message.RootElement.GetProperty("title").GetString());
        Assert.Equal("/maintenance/alerts/41", message.RootElement.GetProperty("link").GetString());
        var delivery = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("Sent", 1), (delivery.Status, delivery.Attempts));
        Assert.Equal(["push/laptop"], (await stack.Outbox.SubscriptionsAsync("u-anna", ct)).Select(s => new Uri(s.Endpoint).AbsolutePath.TrimStart('/')));
    }

    private static byte[] PublicPoint(ECParameters parameters) => [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];

    /// <summary>RFC 8292 §3: <c>vapid t=JWT, k=key</c>; the JWT is ES256 (r‖s) over "header.claims", signed by the key named.</summary>
    private static JsonElement VerifyVapid(string authorization, ECDsa vapid, string vapidPublic)
    {
        Assert.StartsWith("vapid ", authorization, StringComparison.Ordinal);
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries).ToDictionary(p => p[..p.IndexOf('=', StringComparison.Ordinal)], p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(vapidPublic, parameters["k"]);
        var parts = parameters["t"].Split('.');
        using var header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.True(vapid.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), WebEncoders.Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256), "VAPID JWT signature");
        return JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1])).RootElement.Clone();
    }

    /// <summary>RFC 8291 §3.4 and RFC 8188 §2: one aes128gcm record, keys derived from the browser's ECDH key and auth secret.</summary>
    private static string Decrypt(byte[] body, ECDiffieHellman browser, byte[] browserPublic, byte[] authSecret)
    {
        var salt = body[..16];
        var recordSize = (body[16] << 24) | (body[17] << 16) | (body[18] << 8) | body[19];
        Assert.Equal(4096, recordSize);
        Assert.Equal(65, body[20]);
        var serverPublic = body[21..86];
        Assert.Equal(0x04, serverPublic[0]);
        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverPublic[1..33], Y = serverPublic[33..65] },
        });
        var ecdh = browser.DeriveRawSecretAgreement(server.PublicKey);
        var prkKey = HMACSHA256.HashData(authSecret, ecdh);
        byte[] info = [.. "WebPush: info"u8, 0, .. browserPublic, .. serverPublic, 1];
        var ikm = HMACSHA256.HashData(prkKey, info);
        var prk = HMACSHA256.HashData(salt, ikm);
        byte[] cekInfo = [.. "Content-Encoding: aes128gcm"u8, 0, 1];
        byte[] nonceInfo = [.. "Content-Encoding: nonce"u8, 0, 1];
        var cek = HMACSHA256.HashData(prk, cekInfo)[..16];
        var nonce = HMACSHA256.HashData(prk, nonceInfo)[..12];
        var record = body[86..];
        var plain = new byte[record.Length - 16];
        using var aes = new AesGcm(cek, 16);
        aes.Decrypt(nonce, record[..^16], record[^16..], plain);
        var end = Array.LastIndexOf(plain, (byte)2); // the last record's delimiter, then padding zeros
        Assert.True(end >= 0 && plain[(end + 1)..].All(b => b == 0), "aes128gcm last-record delimiter");
        return Encoding.UTF8.GetString(plain, 0, end);
    }
}
