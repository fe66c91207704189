using System.Globalization;

using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// Walks the whole audit trail in order and recomputes the chain with the key (rows below the keyed boundary with the
/// plain SHA-256 they were written with), then holds it against every signed checkpoint: a modified row breaks its own
/// hash, a row re-chained without the key breaks its HMAC, a deleted row leaves a gap or a broken link, a deleted tail
/// leaves a checkpoint (or the head) pointing past the last row, and a replaced chain disagrees with a checkpoint.
/// </summary>
internal sealed class AuditVerifier(IOptions<SiloOptions> silo, AuditKey key, AuditCheckpoints checkpoints)
{
    public const int ProgressEvery = 10_000;

    public async Task<AuditVerification> VerifyAsync(Action<long>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        long? firstBroken = null;
        void Broken(long seq, string problem)
        {
            problems.Add(problem);
            firstBroken = Math.Min(firstBroken ?? seq, seq);
        }

        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        AuditHead head = await AuditTrail.ReadHeadAsync(connection, cancellationToken);

        // The signed checkpoints are the trusted side: where they disagree with the database, the database is wrong.
        long keyedFrom = head.KeyedFrom;
        var anchors = new SortedDictionary<long, (string File, AuditCheckpoint Checkpoint)>();
        IReadOnlyList<AuditCheckpoints.Found> found = checkpoints.ReadAll();
        if (found.Count == 0)
        {
            problems.Add($"no checkpoint in {checkpoints.Directory}: nothing outside the database vouches for the chain (the cloud writes one at start and every Audit:CheckpointInterval)");
        }

        foreach (var (path, checkpoint) in found)
        {
            string file = Path.GetFileName(path);
            if (checkpoint is null)
            {
                problems.Add($"checkpoint {file} is not signed with the audit key (forged, damaged, or written under another key)");
                continue;
            }

            if (checkpoint.KeyedFrom != head.KeyedFrom)
            {
                // The rows verified under the signed boundary below are the ones to blame, not the boundary itself.
                problems.Add(
                    $"the database says rows from {head.KeyedFrom} are keyed, checkpoint {file} says from {checkpoint.KeyedFrom}: the boundary was moved");
                keyedFrom = checkpoint.KeyedFrom;
            }

            anchors[checkpoint.Seq] = (file, checkpoint);
        }

        if (anchors.TryGetValue(0, out var empty) && !empty.Checkpoint.Hash.AsSpan().SequenceEqual(AuditRecord.Genesis))
        {
            Broken(1, $"checkpoint {empty.File} of the empty chain does not hold the genesis hash");
        }

        long expectedSeq = 1;
        long rows = 0;
        long lastAgreed = 0;
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
                    Broken(expectedSeq, $"rows {expectedSeq}..{record.Seq - 1} are missing (deleted)");
                }

                if (!record.PrevHash.AsSpan().SequenceEqual(prevHash))
                {
                    Broken(record.Seq, $"row {record.Seq} does not link to the row before it");
                }

                if (!record.ComputeHash(record.Seq >= keyedFrom ? key : null).AsSpan().SequenceEqual(record.Hash))
                {
                    Broken(record.Seq, $"row {record.Seq} was modified: its content does not match its hash");
                }

                if (anchors.Remove(record.Seq, out var anchor))
                {
                    if (anchor.Checkpoint.Hash.AsSpan().SequenceEqual(record.Hash))
                    {
                        lastAgreed = record.Seq;
                    }
                    else
                    {
                        Broken(lastAgreed + 1, $"rows {lastAgreed + 1}..{record.Seq} disagree with checkpoint {anchor.File} of {Time(anchor.Checkpoint)}: row {record.Seq}'s hash is not the one exported then");
                    }
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
        anchors.Remove(0);
        foreach (var (seq, (file, checkpoint)) in anchors)
        {
            Broken(Math.Min(seq, lastSeq + 1), seq > lastSeq
                ? $"rows {lastSeq + 1}..{seq} are missing (deleted): checkpoint {file} of {Time(checkpoint)} records the chain up to row {seq}"
                : $"row {seq} is missing (deleted): checkpoint {file} of {Time(checkpoint)} records it");
        }

        if (head.Seq != lastSeq)
        {
            if (head.Seq > lastSeq)
            {
                Broken(lastSeq + 1, $"rows {lastSeq + 1}..{head.Seq} at the end are missing (deleted)");
            }
            else
            {
                Broken(head.Seq + 1, $"rows after {head.Seq} were added without moving the head");
            }
        }
        else if (!head.Hash.AsSpan().SequenceEqual(prevHash))
        {
            Broken(lastSeq, $"the last row {lastSeq} does not match the recorded head");
        }

        progress?.Invoke(rows);
        return new AuditVerification(rows, problems, firstBroken);
    }

    private static string Time(AuditCheckpoint checkpoint) => checkpoint.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The outcome of <see cref="AuditVerifier.VerifyAsync"/>: intact when <see cref="Problems"/> is empty;
/// <see cref="FirstBrokenSeq"/> is the lowest row that cannot be trusted (null when no row is to blame).
/// </summary>
internal sealed record AuditVerification(long Rows, IReadOnlyList<string> Problems, long? FirstBrokenSeq)
{
    public bool Intact => Problems.Count == 0;
}
