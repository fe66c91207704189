using DomioOps.Cloud.Machines;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.History;

/// <summary>
/// The per-minute aggregates (min, max, sum, count, last) of the numeric samples of one batch, per machine
/// and signal, merged into <c>telemetry_rollup_minute</c> by one upsert. Rows are sent in key order so two
/// transactions touching the same rollups lock them in the same order and never deadlock.
/// </summary>
internal sealed class MinuteRollups
{
    private readonly Dictionary<(string Machine, short Signal, long Minute), Aggregate> _aggregates = [];

    public int Count => _aggregates.Count;

    public void Add(string machine, MachineSample sample, double value)
    {
        var ticks = sample.Timestamp.UtcTicks;
        var key = (machine, (short)sample.Signal, ticks - (ticks % TimeSpan.TicksPerMinute));
        var sequence = (long)sample.Sequence;
        if (_aggregates.TryGetValue(key, out var aggregate))
        {
            aggregate.Min = Math.Min(aggregate.Min, value);
            aggregate.Max = Math.Max(aggregate.Max, value);
            aggregate.Sum += value;
            aggregate.Count++;
            if (ticks > aggregate.LastTicks || (ticks == aggregate.LastTicks && sequence > aggregate.LastSequence))
            {
                (aggregate.Last, aggregate.LastTicks, aggregate.LastSequence) = (value, ticks, sequence);
            }
        }
        else
        {
            _aggregates[key] = new Aggregate { Min = value, Max = value, Sum = value, Count = 1, Last = value, LastTicks = ticks, LastSequence = sequence };
        }
    }

    public NpgsqlBatchCommand ToCommand(string sql)
    {
        var keys = _aggregates.Keys.ToArray();
        Array.Sort(keys, (x, y) =>
        {
            var c = string.CompareOrdinal(x.Machine, y.Machine);
            return c != 0 ? c : x.Signal != y.Signal ? x.Signal.CompareTo(y.Signal) : x.Minute.CompareTo(y.Minute);
        });
        var rows = keys.Length;
        var minute = new DateTime[rows];
        var machine = new string[rows];
        var signal = new short[rows];
        var min = new double[rows];
        var max = new double[rows];
        var sum = new double[rows];
        var count = new long[rows];
        var last = new double[rows];
        var lastTs = new DateTime[rows];
        var lastSequence = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            var aggregate = _aggregates[keys[i]];
            (minute[i], machine[i], signal[i]) = (new DateTime(keys[i].Minute, DateTimeKind.Utc), keys[i].Machine, keys[i].Signal);
            (min[i], max[i], sum[i], count[i], last[i]) = (aggregate.Min, aggregate.Max, aggregate.Sum, aggregate.Count, aggregate.Last);
            (lastTs[i], lastSequence[i]) = (new DateTime(aggregate.LastTicks, DateTimeKind.Utc), aggregate.LastSequence);
        }

        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter("minute", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = minute });
        command.Parameters.Add(new NpgsqlParameter("machine", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = machine });
        command.Parameters.Add(new NpgsqlParameter("signal", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = signal });
        command.Parameters.Add(new NpgsqlParameter("min", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = min });
        command.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = max });
        command.Parameters.Add(new NpgsqlParameter("sum", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = sum });
        command.Parameters.Add(new NpgsqlParameter("count", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = count });
        command.Parameters.Add(new NpgsqlParameter("last", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = last });
        command.Parameters.Add(new NpgsqlParameter("last_ts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = lastTs });
        command.Parameters.Add(new NpgsqlParameter("last_sequence", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = lastSequence });
        return command;
    }

    private sealed class Aggregate
    {
        public double Min;
        public double Max;
        public double Sum;
        public long Count;
        public double Last;
        public long LastTicks;
        public long LastSequence;
    }
}
