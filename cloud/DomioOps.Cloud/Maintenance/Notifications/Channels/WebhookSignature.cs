using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DomioOps.Cloud.Maintenance.Notifications.Channels;

/// <summary>
/// The signature of a webhook delivery. Headers: <c>X-Domio-Timestamp</c> (Unix seconds) and
/// <c>X-Domio-Signature: sha256=HEX</c>, HEX the lower-case HMAC-SHA256, keyed with the receiver's secret (UTF-8), of
/// <c>"{timestamp}.{body}"</c> (the body's exact bytes). A receiver recomputes it, compares in constant time and refuses
/// a timestamp far from its clock (replays).
/// </summary>
internal static class WebhookSignature
{
    public const string TimestampHeader = "X-Domio-Timestamp";
    public const string SignatureHeader = "X-Domio-Signature";
    public const string DeliveryHeader = "X-Domio-Delivery";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Whether <paramref name="signature"/> is the one of this timestamp and body (constant-time).</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
