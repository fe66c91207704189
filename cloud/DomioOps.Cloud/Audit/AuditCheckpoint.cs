using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// A signed statement that the audit chain's row <see cref="Seq"/> had hash <see cref="Hash"/> at <see cref="At"/>, and
/// that rows from <see cref="KeyedFrom"/> on are HMAC-keyed. Seq 0 is the empty chain (hash: 32 zero bytes). Written
/// as one small JSON file, <c>audit-{seq:D12}.checkpoint</c>, whose <c>mac</c> is HMAC-SHA256 with the chain's key
/// over <c>domio-audit-checkpoint/1\n{seq}\n{hash hex}\n{keyedFrom}\n{at}</c>.
/// </summary>
internal sealed record AuditCheckpoint(long Seq, byte[] Hash, long KeyedFrom, DateTimeOffset At)
{
    public const string FilePattern = "audit-*.checkpoint";

    public string FileName => string.Create(CultureInfo.InvariantCulture, $"audit-{Seq:D12}.checkpoint");

    /// <summary>The file's bytes, signed with <paramref name="key"/>.</summary>
    public byte[] ToFile(AuditKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var file = new CheckpointFile(Seq, Convert.ToHexStringLower(Hash), KeyedFrom, FormatTime(At), "");
        return JsonSerializer.SerializeToUtf8Bytes(file with { Mac = Convert.ToHexStringLower(Sign(key, file)) });
    }

    /// <summary>The checkpoint in <paramref name="bytes"/>, or null when they are not a checkpoint signed with <paramref name="key"/>.</summary>
    public static AuditCheckpoint? FromFile(ReadOnlySpan<byte> bytes, AuditKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var file = JsonSerializer.Deserialize<CheckpointFile>(bytes);
            if (file is not { Hash.Length: 64, Mac.Length: 64, At: not null }
                || !CryptographicOperations.FixedTimeEquals(Sign(key, file), Convert.FromHexString(file.Mac))
                || !DateTimeOffset.TryParseExact(file.At, "O", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at))
            {
                return null;
            }

            return new AuditCheckpoint(file.Seq, Convert.FromHexString(file.Hash), file.KeyedFrom, at);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static byte[] Sign(AuditKey key, CheckpointFile file) => key.Mac(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"domio-audit-checkpoint/1\n{file.Seq}\n{file.Hash}\n{file.KeyedFrom}\n{file.At}")));

    private sealed record CheckpointFile(
        [property: System.Text.Json.Serialization.JsonPropertyName("seq")] long Seq,
        [property: System.Text.Json.Serialization.JsonPropertyName("hash")] string Hash,
        [property: System.Text.Json.Serialization.JsonPropertyName("keyedFrom")] long KeyedFrom,
        [property: System.Text.Json.Serialization.JsonPropertyName("at")] string At,
        [property: System.Text.Json.Serialization.JsonPropertyName("mac")] string Mac);
}
