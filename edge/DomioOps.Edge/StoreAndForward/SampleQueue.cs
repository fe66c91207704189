using DomioOps.Models.Wire;

using Google.Protobuf;

using Microsoft.Data.Sqlite;

namespace DomioOps.Edge.StoreAndForward;

/// <summary>
/// The crash-safe local queue: every sample is committed here, with the next 64-bit sequence number of
/// this edge, before it is published, and deleted only when the cloud has acknowledged it.
/// </summary>
/// <remarks>
/// SQLite in WAL mode with <c>synchronous=FULL</c>: each <see cref="Enqueue"/> is one transaction whose WAL
/// frames are fsynced before it returns, so an enqueued sample survives kill -9 and power loss (given a
/// disk that honours fsync). Sequence numbers never repeat: the last one issued is stored in the same
/// transaction as the samples, so it survives even when every sample has been acknowledged and deleted.
/// One lock owns the connection; callers are the device pollers (enqueue) and the publisher (peek, ack).
/// </remarks>
internal sealed class SampleQueue : IDisposable
{
    private const int RowsPerInsert = 50;

    private readonly SqliteConnection _connection;
    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly EdgeMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0, 1);
    private readonly Dictionary<int, SqliteCommand> _inserts = [];
    private SqliteCommand? _peek;
    private ulong _lastSequence;
    private long _count;
    private long _bytes;

    public SampleQueue(string path, QueueOptions options, TimeProvider time, EdgeMetrics metrics)
    {
        (this._options, this._time, this._metrics) = (options, time, metrics);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS samples (sequence INTEGER PRIMARY KEY, enqueued_ms INTEGER NOT NULL, payload BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
        using var read = Command("SELECT (SELECT value FROM counters WHERE name = 'last_sequence'), count(*), coalesce(sum(length(payload)), 0) FROM samples");
        using var reader = read.ExecuteReader();
        reader.Read();
        _lastSequence = reader.IsDBNull(0) ? 0 : (ulong)reader.GetInt64(0);
        (_count, _bytes) = (reader.GetInt64(1), reader.GetInt64(2));
        metrics.ObserveQueue(this);
    }

    /// <summary>Samples waiting for the cloud's acknowledgement.</summary>
    public long Count { get { lock (_gate) { return _count; } } }

    /// <summary>Bytes of the samples waiting, the measure <see cref="QueueOptions.MaxBytes"/> bounds.</summary>
    public long Bytes { get { lock (_gate) { return _bytes; } } }

    public ulong LastSequence { get { lock (_gate) { return _lastSequence; } } }

    /// <summary>When the oldest waiting sample was enqueued, or null when the queue is empty.</summary>
    public DateTimeOffset? OldestEnqueued
    {
        get
        {
            lock (_gate)
            {
                using var command = Command("SELECT enqueued_ms FROM samples ORDER BY sequence LIMIT 1");
                return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            }
        }
    }

    /// <summary>Assigns each sample its sequence number and commits them durably, in one transaction.</summary>
    /// <returns>How many were stored (fewer than given only under <see cref="OverflowPolicy.DropNewest"/>).</returns>
    public int Enqueue(IReadOnlyList<Sample> samples)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        int stored;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var payloads = new List<(ulong Sequence, byte[] Payload)>(samples.Count);
            var incoming = 0L;
            foreach (var sample in samples)
            {
                sample.Sequence = _lastSequence + (ulong)payloads.Count + 1;
                var payload = sample.ToByteArray();
                if (_options.Overflow == OverflowPolicy.DropNewest && _bytes + incoming + payload.Length > _options.MaxBytes)
                {
                    sample.Sequence = 0;
                    break;
                }

                payloads.Add((sample.Sequence, payload));
                incoming += payload.Length;
            }

            var droppedOldest = _options.Overflow == OverflowPolicy.DropOldest ? MakeRoom(incoming) : 0;
            for (var first = 0; first < payloads.Count; first += RowsPerInsert)
            {
                var rows = Math.Min(RowsPerInsert, payloads.Count - first);
                var insert = Insert(rows);
                insert.Transaction = transaction;
                insert.Parameters[0].Value = (long)payloads[first].Sequence;
                insert.Parameters[1].Value = now;
                for (var r = 0; r < rows; r++)
                {
                    insert.Parameters[2 + r].Value = payloads[first + r].Payload;
                }

                insert.ExecuteNonQuery();
            }

            if (payloads.Count > 0)
            {
                _lastSequence = payloads[^1].Sequence;
                using var counter = Command("INSERT INTO counters (name, value) VALUES ('last_sequence', $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
                counter.Parameters.AddWithValue("$value", (long)_lastSequence);
                counter.ExecuteNonQuery();
            }

            transaction.Commit();
            stored = payloads.Count;
            _count += stored;
            _bytes += incoming;
            _metrics.Enqueued(stored);
            _metrics.Dropped(droppedOldest + (samples.Count - stored));
        }

        if (stored > 0 && _arrived.CurrentCount == 0)
        {
            try
            {
                _arrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another enqueue signalled first; one signal is enough.
            }
        }

        return stored;
    }

    /// <summary>The oldest waiting samples, in sequence order.</summary>
    public IReadOnlyList<Sample> Peek(int max) => PeekAfter(0, max).Samples;

    /// <summary>
    /// The oldest waiting samples after <paramref name="sequence"/> (those up to it are published and waiting for
    /// the cloud's acknowledgement), in sequence order, with when the first of them was enqueued.
    /// </summary>
    public QueuedSamples PeekAfter(ulong sequence, int max)
    {
        lock (_gate)
        {
            _peek ??= Command("SELECT enqueued_ms, payload FROM samples WHERE sequence > $after ORDER BY sequence LIMIT $max");
            _peek.Parameters.Clear();
            _peek.Parameters.AddWithValue("$after", (long)sequence);
            _peek.Parameters.AddWithValue("$max", max);
            using var reader = _peek.ExecuteReader();
            var samples = new List<Sample>();
            DateTimeOffset? first = null;
            while (reader.Read())
            {
                first ??= DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0));
                samples.Add(Sample.Parser.ParseFrom((byte[])reader[1]));
            }

            return new QueuedSamples(samples, first);
        }
    }

    /// <summary>Deletes every sample up to and including <paramref name="sequence"/>: the cloud has it. Returns how many there were.</summary>
    public long Acknowledge(ulong sequence)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var (removed, removedBytes) = Delete("sequence <= $limit", (long)sequence);
            transaction.Commit();
            _count -= removed;
            _bytes -= removedBytes;
            return removed;
        }
    }

    /// <summary>Completes when a sample is enqueued after the previous call (or has been since), or on cancellation.</summary>
    public Task WaitForSamplesAsync(CancellationToken cancellationToken) => _arrived.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _peek?.Dispose();
        foreach (var insert in _inserts.Values)
        {
            insert.Dispose();
        }

        _connection.Dispose();
        _arrived.Dispose();
    }

    private long MakeRoom(long incoming)
    {
        var excess = _bytes + incoming - _options.MaxBytes;
        if (excess <= 0)
        {
            return 0;
        }

        // Delete the oldest rows whose running total covers the excess (all of them if none does).
        var (removed, removedBytes) = Delete(
            """
            sequence <= coalesce(
                (SELECT min(sequence) FROM (SELECT sequence, sum(length(payload)) OVER (ORDER BY sequence) AS running FROM samples) WHERE running >= $limit),
                (SELECT max(sequence) FROM samples))
            """,
            excess);
        _count -= removed;
        _bytes -= removedBytes;
        return removed;
    }

    private (long Rows, long Bytes) Delete(string condition, long limit)
    {
        using var command = Command($"DELETE FROM samples WHERE {condition} RETURNING length(payload)");
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var (rows, total) = (0L, 0L);
        while (reader.Read())
        {
            rows++;
            total += reader.GetInt64(0);
        }

        return (rows, total);
    }

    /// <summary>
    /// The prepared INSERT of <paramref name="rows"/> consecutive samples ($first, $enqueued, then one payload per row):
    /// Microsoft.Data.Sqlite allocates some 600 bytes per execution, so one execution per row cost more than the sample.
    /// </summary>
    private SqliteCommand Insert(int rows)
    {
        if (!_inserts.TryGetValue(rows, out var insert))
        {
            var values = string.Join(", ", Enumerable.Range(0, rows).Select(r => $"($first + {r}, $enqueued, $payload{r})"));
            insert = Command($"INSERT INTO samples (sequence, enqueued_ms, payload) VALUES {values}");
            insert.Parameters.Add("$first", SqliteType.Integer);
            insert.Parameters.Add("$enqueued", SqliteType.Integer);
            for (var r = 0; r < rows; r++)
            {
                insert.Parameters.Add($"$payload{r}", SqliteType.Blob);
            }

            _inserts[rows] = insert;
        }

        return insert;
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}

/// <summary>Samples read from the queue, and when the first of them was enqueued (null when there are none).</summary>
internal sealed record QueuedSamples(IReadOnlyList<Sample> Samples, DateTimeOffset? FirstEnqueued);
