using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.History;

/// <summary>
/// Reads history for charts in a bounded number of points, whatever the range: the raw samples when there
/// are at most <c>points</c> of them (an index range scan stopped at points + 1 rows, so this costs the same
/// for any range), else buckets of at least a minute aggregated from the per-minute rollups, else (short,
/// dense ranges) sub-minute buckets aggregated from the raw samples. A range without raw samples (older than their
/// retention, or imported as rollups) gets the rollups of the minutes wholly inside it.
/// </summary>
internal sealed class HistoryQuery(HistoryDatabase database)
{
    public const string Raw = "raw";
    public const string Minute = "minute";
    public const string Bucket = "bucket";

    public async Task<HistorySeries> ReadAsync(string machine, Signal signal, DateTimeOffset from, DateTimeOffset to, int points, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);

        var raw = await ReadRawAsync(machine, signal, from, to, points + 1, cancellationToken).ConfigureAwait(false);
        if (raw.Count == 0)
        {
            // No raw samples: past their retention, or history imported as rollups only. The minutes wholly inside the range.
            var first = new DateTimeOffset(from.UtcTicks + ((TimeSpan.TicksPerMinute - (from.UtcTicks % TimeSpan.TicksPerMinute)) % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            var end = new DateTimeOffset(to.UtcTicks - (to.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            if (end > first)
            {
                var width = TimeSpan.FromMinutes(Math.Max(1, (long)Math.Ceiling((end - first).Ticks / (double)points / TimeSpan.TicksPerMinute)));
                var kept = await ReadBucketsAsync(RollupBuckets, machine, signal, first, end, width, points, cancellationToken).ConfigureAwait(false);
                if (kept.Count > 0)
                {
                    return new HistorySeries(machine, signal, from, to, Minute, width.TotalSeconds, kept);
                }
            }
        }

        if (raw.Count <= points)
        {
            return new HistorySeries(machine, signal, from, to, Raw, null, raw);
        }

        // Buckets of whole minutes start on a minute, so the span they cover starts at from rounded down.
        var origin = new DateTimeOffset(from.UtcTicks - (from.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var minutes = (long)Math.Ceiling((to - origin).Ticks / (double)points / TimeSpan.TicksPerMinute);
        if ((to - from).Ticks / points >= TimeSpan.TicksPerMinute)
        {
            var width = TimeSpan.FromMinutes(minutes);
            var rollups = await ReadBucketsAsync(RollupBuckets, machine, signal, origin, to, width, points, cancellationToken).ConfigureAwait(false);
            return new HistorySeries(machine, signal, from, to, Minute, width.TotalSeconds, rollups);
        }

        // At least a millisecond: timestamps come from the edge in milliseconds.
        var bucket = TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling((to - from).TotalMilliseconds / points)));
        var buckets = await ReadBucketsAsync(RawBuckets, machine, signal, from, to, bucket, points, cancellationToken).ConfigureAwait(false);
        return new HistorySeries(machine, signal, from, to, Bucket, bucket.TotalSeconds, buckets);
    }

    private const string RawSamples = """
        SELECT ts, number FROM telemetry_sample
        WHERE machine = @machine AND signal = @signal AND ts >= @from AND ts < @to AND number IS NOT NULL
        ORDER BY ts, sequence
        LIMIT @limit
        """;

    private const string RollupBuckets = """
        SELECT date_bin(@width, minute, @origin) AS bucket, min(min), max(max), sum(sum) / sum(count), sum(count)::bigint,
               (array_agg(last ORDER BY last_ts DESC, last_sequence DESC))[1]
        FROM telemetry_rollup_minute
        WHERE machine = @machine AND signal = @signal AND minute >= @origin AND minute < @to
        GROUP BY bucket ORDER BY bucket
        LIMIT @limit
        """;

    private const string RawBuckets = """
        SELECT date_bin(@width, ts, @origin) AS bucket, min(number), max(number), avg(number), count(*),
               (array_agg(number ORDER BY ts DESC, sequence DESC))[1]
        FROM telemetry_sample
        WHERE machine = @machine AND signal = @signal AND ts >= @origin AND ts < @to AND number IS NOT NULL
        GROUP BY bucket ORDER BY bucket
        LIMIT @limit
        """;

    private async Task<List<HistoryPoint>> ReadRawAsync(string machine, Signal signal, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(RawSamples);
        AddRange(command, machine, signal, to, limit);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        var points = new List<HistoryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var value = reader.GetDouble(1);
            points.Add(new HistoryPoint(new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), value, value, value, 1, value));
        }

        return points;
    }

    private async Task<List<HistoryPoint>> ReadBucketsAsync(string sql, string machine, Signal signal, DateTimeOffset origin, DateTimeOffset to, TimeSpan width, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        AddRange(command, machine, signal, to, limit);
        command.Parameters.AddWithValue("origin", origin.UtcDateTime);
        command.Parameters.AddWithValue("width", width);
        var points = new List<HistoryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            points.Add(new HistoryPoint(
                new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero),
                reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetDouble(5)));
        }

        return points;
    }

    private static void AddRange(NpgsqlCommand command, string machine, Signal signal, DateTimeOffset to, int limit)
    {
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
    }
}
