using DomioOps.Cloud.History;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>A signal's value from <see cref="Time"/> on, until the next change.</summary>
internal readonly record struct SignalChange(DateTimeOffset Time, double Value);

/// <summary>
/// The changes of a signal that holds a value until the next one (a state, an alarm code) from the history: the last
/// value before a window, then every sample in the window whose value differs from the one before it. The edge repeats
/// an unchanged value now and then (its MaxSilence); the repeats are dropped in PostgreSQL, not sent here.
/// </summary>
internal sealed class SignalChanges(HistoryDatabase database)
{
    private const string Changes = """
        WITH samples AS (
            (SELECT ts, sequence, number FROM telemetry_sample
             WHERE machine = @machine AND signal = @signal AND ts < @from AND number IS NOT NULL
             ORDER BY ts DESC, sequence DESC
             LIMIT 1)
            UNION ALL
            SELECT ts, sequence, number FROM telemetry_sample
            WHERE machine = @machine AND signal = @signal AND ts >= @from AND ts < @to AND number IS NOT NULL
        )
        SELECT ts, number FROM (
            SELECT ts, sequence, number, lag(number) OVER (ORDER BY ts, sequence) AS previous FROM samples
        ) AS changes
        WHERE previous IS DISTINCT FROM number
        ORDER BY ts, sequence
        """;

    // The first sample of the run of equal values that ends with the last sample before @from.
    private const string RunStart = """
        SELECT min(ts) FROM telemetry_sample
        WHERE machine = @machine AND signal = @signal AND ts < @from AND number IS NOT NULL
          AND ts > coalesce((SELECT ts FROM telemetry_sample
                             WHERE machine = @machine AND signal = @signal AND ts < @from AND number IS NOT NULL AND number <> @value
                             ORDER BY ts DESC, sequence DESC
                             LIMIT 1), '-infinity')
        """;

    /// <summary>The value before <paramref name="window"/> (if any, with its own time) and every change in it, oldest first.</summary>
    public async Task<IReadOnlyList<SignalChange>> ReadAsync(string machine, Signal signal, TimeRange window, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(Changes);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        command.Parameters.AddWithValue("from", window.From.UtcDateTime);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        var changes = new List<SignalChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new SignalChange(new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), reader.GetDouble(1)));
        }

        return changes;
    }

    /// <summary>When the signal took <paramref name="value"/>, the value it still had just before <paramref name="before"/>.</summary>
    public async Task<DateTimeOffset?> RunStartAsync(string machine, Signal signal, double value, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(RunStart);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        command.Parameters.AddWithValue("from", before.UtcDateTime);
        command.Parameters.AddWithValue("value", value);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime start
            ? new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc), TimeSpan.Zero)
            : null;
    }
}
