using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// One row of the audit trail: who (<see cref="ActorKind"/>, <see cref="ActorId"/>, <see cref="Address"/>), when,
/// what (<see cref="Action"/> on <see cref="EntityType"/>/<see cref="EntityId"/>) and the state before and after, as JSON.
/// </summary>
internal sealed record AuditRecord(
    long Seq,
    DateTimeOffset At,
    string ActorKind,
    string? ActorId,
    string? Address,
    string Action,
    string EntityType,
    string? EntityId,
    string? Before,
    string? After,
    byte[] PrevHash,
    byte[] Hash)
{
    /// <summary>The hash before the first row.</summary>
    public static byte[] Genesis { get; } = new byte[32];

    /// <summary>
    /// The row's hash: HMAC-SHA256 with <paramref name="key"/> over the previous row's hash and this row's fields as a
    /// JSON array (ordinal field order, the time in UTC to the microsecond, which is what PostgreSQL keeps). Rows
    /// written before the chain was keyed (below <c>domio_audit_keyed.from_seq</c>) use plain SHA-256 of the same
    /// bytes: pass a null key for them.
    /// </summary>
    public static byte[] ComputeHash(AuditKey? key, byte[] prevHash, long seq, DateTimeOffset at, string actorKind, string? actorId, string? address,
        string action, string entityType, string? entityId, string? before, string? after)
    {
        ArgumentNullException.ThrowIfNull(prevHash);
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            seq.ToString(CultureInfo.InvariantCulture),
            at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            actorKind, actorId, address, action, entityType, entityId, before, after,
        });
        if (key is not null)
        {
            return key.Mac(prevHash, canonical);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(prevHash);
        hash.AppendData(canonical);
        return hash.GetHashAndReset();
    }

    public byte[] ComputeHash(AuditKey? key) => ComputeHash(key, PrevHash, Seq, At, ActorKind, ActorId, Address, Action, EntityType, EntityId, Before, After);

    /// <summary>PostgreSQL keeps microseconds: cut the ticks so that what is hashed is what is stored.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
}
