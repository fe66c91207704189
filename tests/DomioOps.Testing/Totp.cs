using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace DomioOps.Testing;

/// <summary>An authenticator app, written from RFC 6238 (TOTP: HMAC-SHA1, 30 s steps, 6 digits) and RFC 4648 base32, independent of the cloud's code.</summary>
public static class Totp
{
    /// <summary>
    /// Sets up two-factor sign-in for the person signed in on <paramref name="client"/> as they would on the account page:
    /// reads the shared key, answers with the current code. The session then carries the second factor, and the client
    /// sends the session's antiforgery token from now on, as the page's script does. Returns the key.
    /// The cloud is at <paramref name="cloud"/>, or at the client's base address.
    /// </summary>
    public static async Task<string> EnrolAsync(HttpClient client, CancellationToken ct, Uri? cloud = null)
    {
        Uri At(string path) => cloud is null ? new Uri(path, UriKind.Relative) : new Uri(cloud, path);
        var antiforgery = await client.GetFromJsonAsync<System.Text.Json.JsonElement>(At("api/account/antiforgery"), ct);
        var header = antiforgery.GetProperty("headerName").GetString()!;
        client.DefaultRequestHeaders.Remove(header);
        client.DefaultRequestHeaders.Add(header, antiforgery.GetProperty("value").GetString());
        var status = await client.GetFromJsonAsync<Enrolment>(At("api/account/two-factor"), ct)
            ?? throw new InvalidOperationException("No two-factor status");
        var key = status.SharedKey ?? throw new InvalidOperationException("Two-factor is on already: the key is not shown again");
        using var enable = await client.PostAsJsonAsync(At("api/account/two-factor/enable"), new { code = Code(key, DateTimeOffset.UtcNow) }, ct);
        enable.EnsureSuccessStatusCode();
        return key;
    }

    public static string Code(string base32Key, DateTimeOffset at)
    {
        var key = Base32(base32Key);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, at.ToUnixTimeSeconds() / 30);
#pragma warning disable CA5350 // RFC 6238 and every authenticator app use HMAC-SHA1.
        var mac = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(mac.AsSpan(offset)) & 0x7FFF_FFFF) % 1_000_000;
        return binary.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant().Where(c => c is not (' ' or '=')))
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }

    /// <summary>RFC 6238 appendix B, SHA-1 row for T = 59 s: the key is ASCII "12345678901234567890".</summary>
    public const string Rfc6238Key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private sealed record Enrolment(string? SharedKey);
}
