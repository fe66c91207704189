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
        var problems = new List<AuditProblem>();
        long? firstBroken = null;
        void Broken(AuditProblem problem)
        {
            problems.Add(problem);
            firstBroken = Math.Min(firstBroken ?? problem.From!.Value, problem.From!.Value);
        }

        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var head = await AuditTrail.ReadHeadAsync(connection, cancellationToken);

        // The signed checkpoints are the trusted side: where they disagree with the database, the database is wrong.
        var keyedFrom = head.KeyedFrom;
        var anchors = new SortedDictionary<long, (string File, AuditCheckpoint Checkpoint)>();
        var found = checkpoints.ReadAll();
        if (found.Count == 0)
        {
            problems.Add(new(AuditProblemKind.NoCheckpoint, null, null, null,
                $"no checkpoint in {checkpoints.Directory}: nothing outside the database vouches for the chain (the cloud writes one at start and every Audit:CheckpointInterval)"));
        }

        foreach (var (path, checkpoint) in found)
        {
            var file = Path.GetFileName(path);
            if (checkpoint is null)
            {
                problems.Add(new(AuditProblemKind.CheckpointUnsigned, null, null, file,
                    $"checkpoint {file} is not signed with the audit key (forged, damaged, or written under another key)"));
                continue;
            }

            if (checkpoint.KeyedFrom != head.KeyedFrom)
            {
                // The rows verified under the signed boundary below are the ones to blame, not the boundary itself.
                problems.Add(new(AuditProblemKind.BoundaryMoved, null, null, file,
                    $"the database says rows from {head.KeyedFrom} are keyed, checkpoint {file} says from {checkpoint.KeyedFrom}: the boundary was moved"));
                keyedFrom = checkpoint.KeyedFrom;
            }

            anchors[checkpoint.Seq] = (file, checkpoint);
        }

        if (anchors.TryGetValue(0, out var empty) && !empty.Checkpoint.Hash.AsSpan().SequenceEqual(AuditRecord.Genesis))
        {
            Broken(new(AuditProblemKind.GenesisMismatch, 1, 1, empty.File, $"checkpoint {empty.File} of the empty chain does not hold the genesis hash"));
        }

        long expectedSeq = 1;
        long rows = 0;
        long lastAgreed = 0;
        var prevHash = AuditRecord.Genesis;
        await using (var command = new NpgsqlCommand(
            "SELECT seq, at, actor_kind, actor_id, address, action, entity_type, entity_id, before, after, prev_hash, hash FROM domio_audit ORDER BY seq", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var record = AuditTrail.Read(reader);
                if (record.Seq != expectedSeq)
                {
                    Broken(new(AuditProblemKind.Missing, expectedSeq, record.Seq - 1, null, $"rows {expectedSeq}..{record.Seq - 1} are missing (deleted)"));
                }

                if (!record.PrevHash.AsSpan().SequenceEqual(prevHash))
                {
                    Broken(new(AuditProblemKind.Unlinked, record.Seq, record.Seq, null, $"row {record.Seq} does not link to the row before it"));
                }

                if (!record.ComputeHash(record.Seq >= keyedFrom ? key : null).AsSpan().SequenceEqual(record.Hash))
                {
                    Broken(new(AuditProblemKind.Modified, record.Seq, record.Seq, null, $"row {record.Seq} was modified: its content does not match its hash"));
                }

                if (anchors.Remove(record.Seq, out var anchor))
                {
                    if (anchor.Checkpoint.Hash.AsSpan().SequenceEqual(record.Hash))
                    {
                        lastAgreed = record.Seq;
                    }
                    else
                    {
                        Broken(new(AuditProblemKind.CheckpointDisagrees, lastAgreed + 1, record.Seq, anchor.File,
                            $"rows {lastAgreed + 1}..{record.Seq} disagree with checkpoint {anchor.File} of {Time(anchor.Checkpoint)}: row {record.Seq}'s hash is not the one exported then"));
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

        var lastSeq = expectedSeq - 1;
        anchors.Remove(0);
        foreach (var (seq, (file, checkpoint)) in anchors)
        {
            Broken(seq > lastSeq
                ? new(AuditProblemKind.CheckpointBeyondEnd, lastSeq + 1, seq, file,
                    $"rows {lastSeq + 1}..{seq} are missing (deleted): checkpoint {file} of {Time(checkpoint)} records the chain up to row {seq}")
                : new(AuditProblemKind.CheckpointRowMissing, seq, seq, file, $"row {seq} is missing (deleted): checkpoint {file} of {Time(checkpoint)} records it"));
        }

        if (head.Seq != lastSeq)
        {
            if (head.Seq > lastSeq)
            {
                Broken(new(AuditProblemKind.TailMissing, lastSeq + 1, head.Seq, null, $"rows {lastSeq + 1}..{head.Seq} at the end are missing (deleted)"));
            }
            else
            {
                Broken(new(AuditProblemKind.HeadBehind, head.Seq + 1, lastSeq, null, $"rows after {head.Seq} were added without moving the head"));
            }
        }
        else if (!head.Hash.AsSpan().SequenceEqual(prevHash))
        {
            Broken(new(AuditProblemKind.HeadMismatch, lastSeq, lastSeq, null, $"the last row {lastSeq} does not match the recorded head"));
        }

        progress?.Invoke(rows);
        return new AuditVerification(rows, problems, firstBroken);
    }

    private static string Time(AuditCheckpoint checkpoint) => checkpoint.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The outcome of <see cref="AuditVerifier.VerifyAsync"/>: intact when there is no problem; <see cref="FirstBrokenSeq"/>
/// is the lowest row that cannot be trusted (null when no row is to blame).
/// </summary>
internal sealed record AuditVerification(long Rows, IReadOnlyList<AuditProblem> Details, long? FirstBrokenSeq)
{
    public bool Intact => Details.Count == 0;

    /// <summary>Each problem in words, for the command line and the API.</summary>
    public IReadOnlyList<string> Problems { get; } = [.. Details.Select(d => d.Text)];

    /// <summary>Whether row <paramref name="seq"/> is one a problem blames.</summary>
    public bool Blames(long seq) => Details.Any(d => d.From <= seq && seq <= d.To);
}

internal enum AuditProblemKind
{
    NoCheckpoint,
    CheckpointUnsigned,
    BoundaryMoved,
    GenesisMismatch,
    Missing,
    Unlinked,
    Modified,
    CheckpointDisagrees,
    CheckpointBeyondEnd,
    CheckpointRowMissing,
    TailMissing,
    HeadBehind,
    HeadMismatch,
}

/// <summary>
/// One problem the verification found: its kind, the rows it blames (<see cref="From"/> to <see cref="To"/>, null when
/// it blames none), the checkpoint file it involves, and the problem in words.
/// </summary>
internal sealed record AuditProblem(AuditProblemKind Kind, long? From, long? To, string? Checkpoint, string Text);
