using System.Collections.Concurrent;
using System.Globalization;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.History;

/// <summary>
/// The history's PostgreSQL: its connection pool and its day partitions. Knows which partitions exist
/// (cached per process) so a write creates the ones it needs only once.
/// </summary>
internal sealed partial class HistoryDatabase : IAsyncDisposable
{
    public const string SampleTable = "telemetry_sample";
    public const string RollupTable = "telemetry_rollup_minute";

    private static readonly string[] Tables = [SampleTable, RollupTable];

    private readonly ConcurrentDictionary<(string Table, DateOnly Day), bool> _known = new();
    private readonly HistoryMetrics _metrics;
    private readonly ILogger<HistoryDatabase> _logger;

    public HistoryDatabase(IOptions<HistoryOptions> options, HistoryMetrics metrics, ILogger<HistoryDatabase> logger)
    {
        DataSource = NpgsqlDataSource.Create(options.Value.ConnectionString!);
        this._metrics = metrics;
        this._logger = logger;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates, for both tables, the day partitions of <paramref name="days"/> that this process has not seen yet.</summary>
    public async Task EnsurePartitionsAsync(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        foreach (var day in days)
        {
            foreach (var table in Tables)
            {
                if (_known.ContainsKey((table, day)))
                {
                    continue;
                }

                await using var command = DataSource.CreateCommand("SELECT telemetry_history_partition(@parent, @day)");
                command.Parameters.AddWithValue("parent", table);
                command.Parameters.AddWithValue("day", day);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    _metrics.PartitionCreated();
                    LogPartitionCreated(table, day);
                }

                _known[(table, day)] = true;
            }
        }
    }

    /// <summary>The days of the existing partitions of <paramref name="table"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DateOnly>> ListPartitionsAsync(string table, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(@parent)
            """);
        command.Parameters.AddWithValue("parent", table);
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            if (name.Length == table.Length + 9 && DateOnly.TryParseExact(name.AsSpan(table.Length + 1), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add(day);
            }
        }

        days.Sort();
        return days;
    }

    /// <summary>Drops the partitions of <paramref name="table"/> for days before <paramref name="oldestKept"/>; returns how many.</summary>
    public async Task<int> DropPartitionsBeforeAsync(string table, DateOnly oldestKept, CancellationToken cancellationToken)
    {
        var dropped = 0;
        foreach (var day in await ListPartitionsAsync(table, cancellationToken).ConfigureAwait(false))
        {
            if (day >= oldestKept)
            {
                break;
            }

            _known.TryRemove((table, day), out _);
            // Dropping needs the table's owner: the function runs as it (Storage/Sql/0008), the silo need not be.
            await using var command = DataSource.CreateCommand("SELECT telemetry_history_drop_partition(@parent, @day)");
            command.Parameters.AddWithValue("parent", table);
            command.Parameters.AddWithValue("day", day);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _metrics.PartitionDropped();
            LogPartitionDropped(table, day);
            dropped++;
        }

        return dropped;
    }

    /// <summary>Forgets what this process knows about partitions (another silo may have dropped one).</summary>
    public void ForgetPartitions() => _known.Clear();

    public static string PartitionName(string table, DateOnly day) => string.Create(CultureInfo.InvariantCulture, $"{table}_{day:yyyyMMdd}");

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created history partition {Table} for {Day}")]
    private partial void LogPartitionCreated(string table, DateOnly day);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped history partition {Table} for {Day} (past retention)")]
    private partial void LogPartitionDropped(string table, DateOnly day);
}
