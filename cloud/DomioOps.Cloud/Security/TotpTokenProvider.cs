using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// Authenticator-app codes (RFC 6238: HMAC-SHA1 of the 30 s time step, 6 digits) in place of Identity's
/// <c>AuthenticatorTokenProvider</c>, which accepts two steps either side and the same code again and again. Here a code is
/// good for the step before, the current one or the next (a phone's clock drifts), and once: the last accepted step is
/// stored per person (<see cref="TotpStep"/>) and only a later step is accepted, by one atomic statement, so two requests
/// racing with the same code cannot both win.
/// </summary>
internal sealed class TotpTokenProvider(SecurityDbContext db, TimeProvider time) : IUserTwoFactorTokenProvider<IdentityUser>
{
    public const int StepSeconds = 30;

    public const int Digits = 6;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<IdentityUser> manager, IdentityUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The authenticator app makes the codes; the server never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<IdentityUser> manager, IdentityUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<IdentityUser> manager, IdentityUser user)
    {
        if (token is not { Length: Digits } || !token.All(char.IsAsciiDigit)
            || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } encoded || Base32Decode(encoded) is not { } key)
        {
            return false;
        }

        var code = int.Parse(token, CultureInfo.InvariantCulture);
        var now = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        long? matched = null;
        for (var step = now - 1; step <= now + 1; step++)
        {
            // Every step is computed, so the time taken says nothing about which one matched.
            if (Code(key, step) == code)
            {
                matched = step;
            }
        }

        return matched is { } accepted && await ClaimStepAsync(user.Id, accepted);
    }

    /// <summary>True when <paramref name="step"/> is later than the last step accepted for the person, which it then becomes.</summary>
    private async Task<bool> ClaimStepAsync(string userId, long step) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO domio_totp_steps ("UserId", "LastStep") VALUES ({userId}, {step})
            ON CONFLICT ("UserId") DO UPDATE SET "LastStep" = EXCLUDED."LastStep" WHERE domio_totp_steps."LastStep" < EXCLUDED."LastStep"
            """) == 1;

    /// <summary>RFC 6238 section 4 over RFC 4226 section 5.3 (dynamic truncation).</summary>
    internal static int Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6238 and every authenticator app use HMAC-SHA1.
        HMACSHA1.HashData(key, counter, mac);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0F;
        return (BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7FFF_FFFF) % 1_000_000;
    }

    /// <summary>RFC 4648 section 6 base32, as Identity writes the key (upper case, no padding); null when not base32.</summary>
    internal static byte[]? Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
