using System.Security.Cryptography;
using System.Text;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The shape of API and terminal keys: <c>{prefix}_{id}.{secret}</c>, a 12-byte id to find the row and a 32-byte
/// secret of which only the SHA-256 is stored (a high-entropy secret needs no slow hash).
/// </summary>
internal static class SecretKeys
{
    public static (string Id, string Key, byte[] Hash) Create(string prefix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{prefix}_{id}.{secret}", Hash(secret));
    }

    public static bool TryParse(string prefix, string? key, out string id, out string secret)
    {
        id = secret = "";
        if (key is null || !key.StartsWith(prefix + "_", StringComparison.Ordinal))
        {
            return false;
        }

        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || dot == key.Length - 1)
        {
            return false;
        }

        id = key[(prefix.Length + 1)..dot];
        secret = key[(dot + 1)..];
        return id.Length is > 0 and <= 32;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
