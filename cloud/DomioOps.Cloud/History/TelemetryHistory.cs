using System.Diagnostics;

using DomioOps.Cloud.Ingestion;

using Microsoft.Extensions.Options;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.History;

/// <summary>
/// Writes committed telemetry to the history tables: raw samples by binary COPY into the day partitions,
/// and the per-minute rollups they touch, in one transaction per batch.
/// </summary>
/// <remarks>
/// Exactly once under redelivery: the transaction locks the edge's row in <c>telemetry_history_mark</c>,
/// keeps only samples above the sequence recorded there, and moves the mark with the rows. A batch
/// redelivered after a silo crash that came between this commit and the EdgeGrain persisting its own
/// high-water mark therefore writes nothing again, and the rollups (computed from exactly the rows written)
/// stay equal to the raw data. Chosen over COPY into a staging table plus INSERT … ON CONFLICT DO NOTHING,
/// which writes every row twice and needs a unique index the partitioned table cannot enforce on
/// (edge, sequence) alone.
/// </remarks>
internal sealed partial class TelemetryHistory(
    HistoryDatabase database,
    LineProtocolSink sink,
    HistoryMetrics metrics,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<TelemetryHistory> logger)
{
    private const string CopyCommand = "COPY telemetry_sample (ts, machine, signal, number, text, edge, sequence) FROM STDIN (FORMAT BINARY)";

    private const string LockMark = """
        INSERT INTO telemetry_history_mark AS m (edge, highest_sequence) VALUES (@edge, 0)
        ON CONFLICT (edge) DO UPDATE SET updated_at = m.updated_at
        RETURNING highest_sequence
        """;

    private const string MoveMark = "UPDATE telemetry_history_mark SET highest_sequence = @highest, updated_at = now() WHERE edge = @edge";

    private const string UpsertRollups = """
        INSERT INTO telemetry_rollup_minute AS r (minute, machine, signal, min, max, sum, count, last, last_ts, last_sequence)
        SELECT * FROM unnest(@minute, @machine, @signal, @min, @max, @sum, @count, @last, @last_ts, @last_sequence)
        ON CONFLICT (machine, signal, minute) DO UPDATE SET
            min = least(r.min, excluded.min),
            max = greatest(r.max, excluded.max),
            sum = r.sum + excluded.sum,
            count = r.count + excluded.count,
            last = CASE WHEN (excluded.last_ts, excluded.last_sequence) >= (r.last_ts, r.last_sequence) THEN excluded.last ELSE r.last END,
            last_sequence = CASE WHEN (excluded.last_ts, excluded.last_sequence) >= (r.last_ts, r.last_sequence) THEN excluded.last_sequence ELSE r.last_sequence END,
            last_ts = greatest(r.last_ts, excluded.last_ts)
        """;

    /// <summary>
    /// Commits <paramref name="samples"/> (one edge's, in increasing sequence order) to history; returns the
    /// number of rows written, which is fewer when part of the batch was already written or is past retention.
    /// </summary>
    public async Task<int> AppendAsync(string edge, IReadOnlyList<EdgeSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        var started = time.GetTimestamp();
        var oldest = HistoryOptions.OldestKeptDay(time.GetUtcNow(), options.Value.RetentionDays).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await database.EnsurePartitionsAsync(DaysOf(samples, oldest), cancellationToken).ConfigureAwait(false);
        try
        {
            return await CommitAsync(edge, samples, oldest, started, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            // "no partition of relation found for row": another silo's retention dropped a day this process
            // believed existed. Learn again and retry once.
            LogPartitionMissing(edge, e.MessageText);
            database.ForgetPartitions();
            await database.EnsurePartitionsAsync(DaysOf(samples, oldest), cancellationToken).ConfigureAwait(false);
            return await CommitAsync(edge, samples, oldest, started, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> CommitAsync(string edge, IReadOnlyList<EdgeSample> samples, DateTime oldest, long started, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        ulong mark;
        await using (var command = new NpgsqlCommand(LockMark, connection, transaction))
        {
            command.Parameters.AddWithValue("edge", edge);
            mark = (ulong)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var first = 0;
        while (first < samples.Count && samples[first].Sample.Sequence <= mark)
        {
            first++;
        }

        if (first == samples.Count)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            metrics.Committed(0, samples.Count, 0, time.GetElapsedTime(started));
            return 0;
        }

        var rollups = new MinuteRollups();
        var dirty = new Oee.OeeDirty.Batch();
        var rows = 0;
        var tooOld = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken).ConfigureAwait(false))
        {
            // Synchronous row writes: they fill Npgsql's write buffer (8 KB) and only touch the socket when it is
            // full, which on loopback returns at once; an await per field cost more than the I/O it avoided blocking on.
            for (var i = first; i < samples.Count; i++)
            {
                var (machine, sample) = (samples[i].Machine, samples[i].Sample);
                var ts = sample.Timestamp.UtcDateTime;
                if (ts < oldest)
                {
                    tooOld++;
                    continue;
                }

                copy.StartRow();
                copy.Write(ts, NpgsqlDbType.TimestampTz);
                copy.Write(machine, NpgsqlDbType.Text);
                copy.Write((short)sample.Signal, NpgsqlDbType.Smallint);
                if (sample.Number is { } number)
                {
                    copy.Write(number, NpgsqlDbType.Double);
                    rollups.Add(machine, sample, number);
                }
                else
                {
                    copy.WriteNull();
                }

                if (sample.Text is { } text)
                {
                    copy.Write(text, NpgsqlDbType.Text);
                }
                else
                {
                    copy.WriteNull();
                }

                copy.Write(edge, NpgsqlDbType.Text);
                copy.Write((long)sample.Sequence, NpgsqlDbType.Bigint);
                dirty.Add(machine, sample.Signal, sample.Timestamp);
                rows++;
            }

            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (rollups.Count > 0)
            {
                batch.BatchCommands.Add(rollups.ToCommand(UpsertRollups));
            }

            if (dirty.Count > 0)
            {
                // The OEE of the shifts these samples fall in is computed again (Oee/README.md), late samples included.
                batch.BatchCommands.Add(dirty.ToCommand());
            }

            var move = new NpgsqlBatchCommand(MoveMark);
            move.Parameters.AddWithValue("edge", edge);
            move.Parameters.AddWithValue("highest", (long)samples[^1].Sample.Sequence);
            batch.BatchCommands.Add(move);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics.Committed(rows, first, tooOld, time.GetElapsedTime(started));
        if (rows > 0)
        {
            sink.Offer(edge, samples, first, oldest);
        }

        return rows;
    }

    private static IEnumerable<DateOnly> DaysOf(IReadOnlyList<EdgeSample> samples, DateTime oldest)
    {
        // Batches span seconds, so almost always one day: no set needed for the common case.
        DateOnly? previous = null;
        foreach (var edgeSample in samples)
        {
            var ts = edgeSample.Sample.Timestamp.UtcDateTime;
            if (ts < oldest)
            {
                continue;
            }

            var day = DateOnly.FromDateTime(ts);
            if (day != previous)
            {
                previous = day;
                yield return day;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History partition missing while writing edge {Edge} ({Detail}); re-creating and retrying")]
    private partial void LogPartitionMissing(string edge, string detail);
}
