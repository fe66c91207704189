using System.Globalization;

using DomioOps.Simulators.Behaviour;

namespace DomioOps.Simulators.History;

/// <summary>
/// One machine's rollup file: the samples of the current minute aggregated per signal (as the cloud's MinuteRollups
/// does: min, max, sum, count, the last value with its time and sequence), written as CSV rows when the minute ends.
/// </summary>
internal sealed class MachineRollups : IDisposable
{
    private readonly ISimulatedDevice _machine;
    private readonly IReadOnlyList<RollupSignal> _signals;
    private readonly StreamWriter _writer;
    private readonly Aggregate[] _aggregates;
    private readonly char[] _line = new char[256];
    private long _minute = -1;
    private long _sequence;

    public MachineRollups(ISimulatedDevice machine, string path)
    {
        _machine = machine;
        _signals = RollupSignals.Of(machine.Spec.Kind);
        _aggregates = new Aggregate[_signals.Count];
        _writer = new StreamWriter(path, append: false, System.Text.Encoding.ASCII, 1 << 16);
        _writer.WriteLine(HistoryCommand.Header);
    }

    public long Rows { get; private set; }

    public void Sample(DateTimeOffset at, MachineReading reading)
    {
        var ticks = at.UtcTicks;
        var minute = ticks - (ticks % TimeSpan.TicksPerMinute);
        if (minute != _minute)
        {
            Flush();
            _minute = minute;
        }

        _machine.Read(at, reading);
        _sequence++;
        for (var i = 0; i < _signals.Count; i++)
        {
            var value = RollupSignals.Value(_signals[i], reading);
            ref var a = ref _aggregates[i];
            if (a.Count == 0)
            {
                a = new Aggregate { Min = value, Max = value, Sum = value, Count = 1, Last = value };
            }
            else
            {
                a.Min = Math.Min(a.Min, value);
                a.Max = Math.Max(a.Max, value);
                a.Sum += value;
                a.Count++;
                a.Last = value;
            }

            (a.LastTicks, a.LastSequence) = (ticks, _sequence);
        }
    }

    /// <summary>Writes the rows of the current minute, if any.</summary>
    public void Flush()
    {
        if (_minute < 0)
        {
            return;
        }

        var minute = new DateTime(_minute, DateTimeKind.Utc);
        for (var i = 0; i < _signals.Count; i++)
        {
            ref var a = ref _aggregates[i];
            if (a.Count == 0)
            {
                continue;
            }

            var span = _line.AsSpan();
            var n = 0;
            n += Text(span[n..], minute);
            span[n++] = ',';
            _machine.Spec.Id.AsSpan().CopyTo(span[n..]);
            n += _machine.Spec.Id.Length;
            span[n++] = ',';
            n += Number(span[n..], (short)_signals[i]);
            foreach (var value in (ReadOnlySpan<double>)[a.Min, a.Max, a.Sum])
            {
                span[n++] = ',';
                n += Number(span[n..], value);
            }

            span[n++] = ',';
            n += Number(span[n..], a.Count);
            span[n++] = ',';
            n += Number(span[n..], a.Last);
            span[n++] = ',';
            n += Text(span[n..], new DateTime(a.LastTicks, DateTimeKind.Utc));
            span[n++] = ',';
            n += Number(span[n..], a.LastSequence);
            _writer.WriteLine(span[..n]);
            Rows++;
            a = default;
        }
    }

    public void Dispose() => _writer.Dispose();

    private static int Text(Span<char> span, DateTime time)
    {
        time.TryFormat(span, out var n, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return n;
    }

    private static int Number(Span<char> span, double value)
    {
        value.TryFormat(span, out var n, "G9", CultureInfo.InvariantCulture);
        return n;
    }

    private static int Number(Span<char> span, long value)
    {
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        return n;
    }

    private struct Aggregate
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
