using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Edge passwords, stored only as salted PBKDF2-HMAC-SHA512 hashes in Mosquitto 2's password-file format
/// (<c>$7$iterations$salt$hash</c>, base64; mosquitto_passwd's "sha512-pbkdf2"), so the same registry feeds
/// the embedded broker and a generated Mosquitto password file without any password stored in clear.
/// </summary>
internal static class EdgeCredentials
{
    private const int Iterations = 10_000;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    /// <summary>A new random password: 24 bytes of entropy, URL-safe.</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for any malformed hash.</summary>
    public static bool Verify(string? password, string stored)
    {
        if (string.IsNullOrEmpty(password) || stored.Split('$') is not ["", "7", var iterationText, var saltText, var hashText]
            || !int.TryParse(iterationText, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        try
        {
            var expected = Convert.FromBase64String(hashText);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(saltText), iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="stored"/> has the form <see cref="Hash"/> produces.</summary>
    public static bool IsHash(string? stored) => stored?.Split('$') is ["", "7", _, _, _];
}
