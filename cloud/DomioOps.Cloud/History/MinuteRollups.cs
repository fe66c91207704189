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
    private readonly Dictionary<(string Machine, short Signal, long Minute), Aggregate> aggregates = [];

    public int Count => aggregates.Count;

    public void Add(string machine, MachineSample sample, double value)
    {
        var ticks = sample.Timestamp.UtcTicks;
        var key = (machine, (short)sample.Signal, ticks - (ticks % TimeSpan.TicksPerMinute));
        var sequence = (long)sample.Sequence;
        if (aggregates.TryGetValue(key, out var a))
        {
            a.Min = Math.Min(a.Min, value);
            a.Max = Math.Max(a.Max, value);
            a.Sum += value;
            a.Count++;
            if (ticks > a.LastTicks || (ticks == a.LastTicks && sequence > a.LastSequence))
            {
                (a.Last, a.LastTicks, a.LastSequence) = (value, ticks, sequence);
            }
        }
        else
        {
            aggregates[key] = new Aggregate { Min = value, Max = value, Sum = value, Count = 1, Last = value, LastTicks = ticks, LastSequence = sequence };
        }
    }

    public NpgsqlBatchCommand ToCommand(string sql)
    {
        var keys = aggregates.Keys.ToArray();
        Array.Sort(keys, (x, y) =>
        {
            var c = string.CompareOrdinal(x.Machine, y.Machine);
            return c != 0 ? c : x.Signal != y.Signal ? x.Signal.CompareTo(y.Signal) : x.Minute.CompareTo(y.Minute);
        });
        var n = keys.Length;
        var minute = new DateTime[n];
        var machine = new string[n];
        var signal = new short[n];
        var min = new double[n];
        var max = new double[n];
        var sum = new double[n];
        var count = new long[n];
        var last = new double[n];
        var lastTs = new DateTime[n];
        var lastSequence = new long[n];
        for (var i = 0; i < n; i++)
        {
            var a = aggregates[keys[i]];
            (minute[i], machine[i], signal[i]) = (new DateTime(keys[i].Minute, DateTimeKind.Utc), keys[i].Machine, keys[i].Signal);
            (min[i], max[i], sum[i], count[i], last[i]) = (a.Min, a.Max, a.Sum, a.Count, a.Last);
            (lastTs[i], lastSequence[i]) = (new DateTime(a.LastTicks, DateTimeKind.Utc), a.LastSequence);
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
