using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// Walks the whole audit trail in order and recomputes the chain: a modified row breaks its own hash, a deleted row
/// leaves a gap in the sequence or a broken link, a deleted tail leaves the head pointing past the last row.
/// </summary>
internal sealed class AuditVerifier(IOptions<SiloOptions> silo)
{
    public const int ProgressEvery = 10_000;

    public async Task<AuditVerification> VerifyAsync(Action<long>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        long headSeq = 0;
        byte[]? headHash = null;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM domio_audit_head WHERE id = 1", connection))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                headSeq = reader.GetInt64(0);
                headHash = reader.GetFieldValue<byte[]>(1);
            }
        }

        long expectedSeq = 1;
        long rows = 0;
        byte[] prevHash = AuditRecord.Genesis;
        await using (var command = new NpgsqlCommand(
            "SELECT seq, at, actor_kind, actor_id, address, action, entity_type, entity_id, before, after, prev_hash, hash FROM domio_audit ORDER BY seq", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                AuditRecord record = AuditTrail.Read(reader);
                if (record.Seq != expectedSeq)
                {
                    problems.Add($"rows {expectedSeq}..{record.Seq - 1} are missing (deleted)");
                }

                if (!record.PrevHash.AsSpan().SequenceEqual(prevHash))
                {
                    problems.Add($"row {record.Seq} does not link to the row before it");
                }

                if (!record.ComputeHash().AsSpan().SequenceEqual(record.Hash))
                {
                    problems.Add($"row {record.Seq} was modified: its content does not match its hash");
                }

                prevHash = record.Hash;
                expectedSeq = record.Seq + 1;
                rows++;
                if (rows % ProgressEvery == 0)
                {
                    progress?.Invoke(rows);
                }
            }
        }

        long lastSeq = expectedSeq - 1;
        if (headSeq != lastSeq)
        {
            problems.Add(headSeq > lastSeq
                ? $"rows {lastSeq + 1}..{headSeq} at the end are missing (deleted)"
                : $"rows after {headSeq} were added without moving the head");
        }
        else if (headHash is not null && !headHash.AsSpan().SequenceEqual(prevHash))
        {
            problems.Add($"the last row {lastSeq} does not match the recorded head");
        }

        progress?.Invoke(rows);
        return new AuditVerification(rows, problems);
    }
}

/// <summary>The outcome of <see cref="AuditVerifier.VerifyAsync"/>: intact when <see cref="Problems"/> is empty.</summary>
internal sealed record AuditVerification(long Rows, IReadOnlyList<string> Problems)
{
    public bool Intact => Problems.Count == 0;
}
