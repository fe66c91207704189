using DomioOps.Models.Wire;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// One machine's minute rollups (telemetry_rollup_minute) over a span, dense: minute <c>i</c> is
/// <see cref="Origin"/> + i minutes; a minute without samples of a signal has count 0.
/// </summary>
internal sealed class MinuteSeries
{
    private readonly Dictionary<Signal, Column> _columns = [];
    private Column? _empty;

    public MinuteSeries(DateTimeOffset origin, int minutes, IEnumerable<Signal> signals)
    {
        Origin = origin;
        Minutes = minutes;
        foreach (var signal in signals)
        {
            _columns[signal] = new Column(minutes);
        }
    }

    public DateTimeOffset Origin { get; }

    public int Minutes { get; }

    /// <summary>The index of the minute holding <paramref name="at"/> (may lie outside the series).</summary>
    public int MinuteOf(DateTimeOffset at) => (int)Math.Floor((at - Origin).TotalMinutes);

    public bool Has(Signal signal, int minute) => minute >= 0 && minute < Minutes && _columns.TryGetValue(signal, out var c) && c.Count[minute] > 0;

    public float Mean(Signal signal, int minute) => _columns[signal].Mean[minute];

    public float Min(Signal signal, int minute) => _columns[signal].Min[minute];

    public float Max(Signal signal, int minute) => _columns[signal].Max[minute];

    public float Last(Signal signal, int minute) => _columns[signal].Last[minute];

    /// <summary>The arrays of <paramref name="signal"/> (for loops over many minutes); empty ones when the series lacks it.</summary>
    internal Column ColumnOf(Signal signal) => _columns.TryGetValue(signal, out var c) ? c : _empty ??= new Column(Minutes);

    public void Set(Signal signal, int minute, double min, double max, double sum, long count, double last)
    {
        var c = _columns[signal];
        (c.Min[minute], c.Max[minute], c.Mean[minute], c.Count[minute], c.Last[minute]) =
            ((float)min, (float)max, (float)(sum / count), (int)Math.Min(count, int.MaxValue), (float)last);
    }

    /// <summary>Reads the rollups of <paramref name="machine"/> in [from, to) (whole minutes) in one query.</summary>
    public static async Task<MinuteSeries> ReadAsync(NpgsqlDataSource dataSource, string machine, IReadOnlyCollection<Signal> signals,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Truncate(from);
        var series = new MinuteSeries(from, (int)Math.Ceiling((to - from).TotalMinutes), signals);
        await using var command = dataSource.CreateCommand("""
            SELECT minute, signal, min, max, sum, count, last FROM telemetry_rollup_minute
            WHERE machine = @machine AND signal = ANY(@signals) AND minute >= @from AND minute < @to
            """);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signals", signals.Select(s => (short)s).ToArray());
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var minute = series.MinuteOf(reader.GetFieldValue<DateTimeOffset>(0));
            var count = reader.GetInt64(5);
            if (minute >= 0 && minute < series.Minutes && count > 0)
            {
                series.Set((Signal)reader.GetInt16(1), minute, reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), count, reader.GetDouble(6));
            }
        }

        return series;
    }

    public static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    /// <summary>One signal's minutes: count 0 where there were no samples.</summary>
    internal sealed class Column(int minutes)
    {
        public float[] Mean { get; } = new float[minutes];

        public float[] Min { get; } = new float[minutes];

        public float[] Max { get; } = new float[minutes];

        public float[] Last { get; } = new float[minutes];

        public int[] Count { get; } = new int[minutes];
    }
}
