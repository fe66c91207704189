using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Oee;

/// <summary>
/// Marks the hours of a machine whose OEE must be computed again (<c>oee_dirty</c>), in the transaction of the change:
/// the history's commit of MachineState and PieceCounter samples (a late one included), a terminal's scrap report or
/// correction, an operation's start, pause or finish. <see cref="OeeRecomputation"/> recomputes the shifts they touch.
/// </summary>
internal static class OeeDirty
{
    private const string Mark = """
        INSERT INTO oee_dirty AS d (machine, hour) SELECT * FROM unnest(@machine, @hour)
        ON CONFLICT (machine, hour) DO UPDATE SET marks = d.marks + 1
        """;

    /// <summary>The hour <paramref name="at"/> falls in, in UTC.</summary>
    public static DateTimeOffset Hour(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    /// <summary>Whether a sample of <paramref name="signal"/> changes OEE.</summary>
    public static bool Counts(Signal signal) => signal is Signal.MachineState or Signal.PieceCounter;

    /// <summary>Marks the hour of <paramref name="at"/> of <paramref name="machine"/>, in the context's current transaction.</summary>
    public static Task MarkAsync(DatabaseFacade database, string machine, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        var hour = Hour(at);
        return database.ExecuteSqlAsync($"""
            INSERT INTO oee_dirty AS d (machine, hour) VALUES ({machine}, {hour})
            ON CONFLICT (machine, hour) DO UPDATE SET marks = d.marks + 1
            """, ct);
    }

    /// <summary>Marks every hour of <paramref name="machine"/> from <paramref name="from"/> to <paramref name="to"/> (a maintenance window planned or removed).</summary>
    public static Task MarkWindowAsync(DatabaseFacade database, string machine, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        var first = Hour(from);
        return database.ExecuteSqlAsync($"""
            INSERT INTO oee_dirty AS d (machine, hour) SELECT {machine}, hour FROM generate_series({first}::timestamptz, {to}::timestamptz, interval '1 hour') AS hour
            WHERE hour < {to}
            ON CONFLICT (machine, hour) DO UPDATE SET marks = d.marks + 1
            """, ct);
    }

    /// <summary>The hours a batch of samples touches, each once (a statement may not update a row twice), in key order (no deadlocks).</summary>
    internal sealed class Batch
    {
        private readonly SortedSet<(string Machine, long Hour)> _hours = [];

        public int Count => _hours.Count;

        public void Add(string machine, Signal signal, DateTimeOffset at)
        {
            if (Counts(signal))
            {
                _hours.Add((machine, Hour(at).UtcTicks));
            }
        }

        public NpgsqlBatchCommand ToCommand()
        {
            var command = new NpgsqlBatchCommand(Mark);
            command.Parameters.Add(new NpgsqlParameter("machine", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = _hours.Select(h => h.Machine).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("hour", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                Value = _hours.Select(h => new DateTime(h.Hour, DateTimeKind.Utc)).ToArray(),
            });
            return command;
        }
    }
}
