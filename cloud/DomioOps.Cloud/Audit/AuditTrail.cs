using System.Text.Json;

using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// Appends to the hash-chained audit trail (<c>domio_audit</c>), each row keyed with <see cref="AuditKey"/>. Appends from
/// every silo are serialised by a transaction-level advisory lock, so the chain has one order cluster-wide; each row
/// and the head move together.
/// </summary>
internal sealed partial class AuditTrail(IOptions<SiloOptions> silo, AuditKey key, TimeProvider time, ILogger<AuditTrail> logger)
{
    /// <summary>Also taken by the migration that starts the keyed chain (Storage/Sql/0007), so no row slips past the boundary.</summary>
    private const long AppendLockKey = 0x446F_6D69_6F41_7564; // "DomioAud"

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records that <paramref name="actor"/> did <paramref name="action"/> to an entity; <paramref name="before"/> and <paramref name="after"/> are serialised to JSON and must carry no personal fields.</summary>
    public async Task<AuditRecord> AppendAsync(AuditActor actor, string action, string entityType, string? entityId,
        object? before, object? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var beforeJson = before is null ? null : JsonSerializer.Serialize(before, Json);
        var afterJson = after is null ? null : JsonSerializer.Serialize(after, Json);

        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AppendLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        long seq = 1;
        var prevHash = AuditRecord.Genesis;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM domio_audit_head WHERE id = 1", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                seq = reader.GetInt64(0) + 1;
                prevHash = reader.GetFieldValue<byte[]>(1);
            }
        }

        var at = AuditRecord.ToStoredPrecision(time.GetUtcNow());
        var hash = AuditRecord.ComputeHash(key, prevHash, seq, at, actor.Kind, actor.Id, actor.Address, action, entityType, entityId, beforeJson, afterJson);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO domio_audit (seq, at, actor_kind, actor_id, address, action, entity_type, entity_id, before, after, prev_hash, hash)
            VALUES (@seq, @at, @actor_kind, @actor_id, @address, @action, @entity_type, @entity_id, @before, @after, @prev_hash, @hash);
            INSERT INTO domio_audit_head (id, seq, hash) VALUES (1, @seq, @hash)
            ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("seq", seq);
            insert.Parameters.AddWithValue("at", at);
            insert.Parameters.AddWithValue("actor_kind", actor.Kind);
            insert.Parameters.AddWithValue("actor_id", (object?)actor.Id ?? DBNull.Value);
            insert.Parameters.AddWithValue("address", (object?)actor.Address ?? DBNull.Value);
            insert.Parameters.AddWithValue("action", action);
            insert.Parameters.AddWithValue("entity_type", entityType);
            insert.Parameters.AddWithValue("entity_id", (object?)entityId ?? DBNull.Value);
            insert.Parameters.AddWithValue("before", (object?)beforeJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("after", (object?)afterJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("prev_hash", prevHash);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        LogAppended(seq, actor.Kind, action, entityType, entityId);
        return new AuditRecord(seq, at, actor.Kind, actor.Id, actor.Address, action, entityType, entityId, beforeJson, afterJson, prevHash, hash);
    }

    /// <summary>Rows in order, from <paramref name="afterSeq"/> (exclusive); optionally only those by or about one user id.</summary>
    public async IAsyncEnumerable<AuditRecord> ReadAsync(long afterSeq, int limit, string? userId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT seq, at, actor_kind, actor_id, address, action, entity_type, entity_id, before, after, prev_hash, hash
            FROM domio_audit
            WHERE seq > @after AND (@user::text IS NULL OR actor_id = @user OR (entity_type = 'user' AND entity_id = @user))
            ORDER BY seq LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("after", afterSeq);
        command.Parameters.AddWithValue("user", NpgsqlTypes.NpgsqlDbType.Text, (object?)userId ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    /// <summary>The head (0 and the genesis hash for an empty chain) and the first keyed row, as one snapshot.</summary>
    public async Task<AuditHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await ReadHeadAsync(connection, cancellationToken);
    }

    internal static async Task<AuditHead> ReadHeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT h.seq, h.hash, k.from_seq FROM domio_audit_keyed k LEFT JOIN domio_audit_head h ON h.id = 1 WHERE k.id = 1", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("domio_audit_keyed has no row: the database's schema is older than this build (run the cloud once to migrate it).");
        }

        return reader.IsDBNull(0)
            ? new AuditHead(0, AuditRecord.Genesis, reader.GetInt64(2))
            : new AuditHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetInt64(2));
    }

    internal static AuditRecord Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetFieldValue<DateTimeOffset>(1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.GetFieldValue<byte[]>(10),
        reader.GetFieldValue<byte[]>(11));

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit {Seq}: {ActorKind} {Action} {EntityType} {EntityId}")]
    private partial void LogAppended(long seq, string actorKind, string action, string entityType, string? entityId);
}

/// <summary>The chain's last row (<see cref="Seq"/> 0 when empty) and the first row written with the key.</summary>
internal sealed record AuditHead(long Seq, byte[] Hash, long KeyedFrom);
