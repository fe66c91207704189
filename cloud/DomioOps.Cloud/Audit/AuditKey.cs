using System.Security.Cryptography;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// The audit chain's HMAC-SHA256 key, read from a file outside the database (<see cref="AuditOptions.KeyPath"/>).
/// Without it, rows cannot be rewritten and re-chained so that they verify, whatever the database lets one do.
/// </summary>
internal sealed class AuditKey
{
    public const int MinimumBytes = 32;

    private readonly byte[] _key;

    public AuditKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinimumBytes)
        {
            throw new ArgumentException($"An audit key has at least {MinimumBytes} bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>HMAC-SHA256 of <paramref name="parts"/> in order.</summary>
    public byte[] Mac(params ReadOnlySpan<byte[]> parts)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var part in parts)
        {
            hmac.AppendData(part);
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Reads the key file (base64 text). When it is missing and <paramref name="create"/> is set, writes a new random
    /// key first: to a private temporary file that is then linked into place without replacing, so silos starting
    /// together end up with one key.
    /// </summary>
    public static AuditKey Load(string path, bool create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new InvalidOperationException($"Audit:KeyPath: the audit key file '{path}' does not exist. Restore it from your backup, "
                    + "or, for a new installation, set Audit:CreateKey=true once to generate it.");
            }

            Create(path);
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Audit:KeyPath: '{path}' does not hold a base64 key (e.g. the output of `head -c 32 /dev/urandom | base64`).");
        }

        if (key.Length < MinimumBytes)
        {
            throw new InvalidOperationException($"Audit:KeyPath: the key in '{path}' has {key.Length} bytes; it needs at least {MinimumBytes}.");
        }

        return new AuditKey(key);
    }

    private static void Create(string path)
    {
        try
        {
            // Not replacing: a key another silo created a moment ago wins, and ours is thrown away.
            Security.SecretFile.TryCreate(path, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes)) + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Audit:KeyPath: cannot create the audit key file '{Path.GetFullPath(path)}' ({e.Message}). "
                + "Make its folder writable for this process, or create the key yourself: (umask 077; head -c 32 /dev/urandom | base64 > KEYFILE).", e);
        }
    }
}
