using System.Globalization;
using System.IO.Ports;
using System.Text;

using DomioOps.Devices.Serial;
using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// The edgebander variant that prints its status over RS-232 as older machines do: one ASCII line per period,
/// key=value fields and an NMEA-style XOR checksum (format in the README):
/// <code>$EB ID=eb-01 T=2026-01-05T06:00:00Z ST=WORKING MD=AUTOMATIC PCS=123 IN=125 GLUE=189.6 SET=190.0 FEED=20.0 TRIM=WORKING ALM=0 CT=22.4*5B\r\n</code>
/// </summary>
internal sealed class AsciiStatusLine : IAsyncDisposable
{
    private static readonly string[] TrimmingStates = ["OFF", "READY", "WORKING", "FAULT"];
    private readonly MachineSpec _spec;
    private readonly Func<MachineFault> _fault;
    private readonly CancellationTokenSource _stopping = new();
    private SerialPort? _port;
    private Task? _printing;
    private volatile string _line = "";

    public AsciiStatusLine(MachineSpec spec, Func<MachineFault> fault)
    {
        this._spec = spec;
        this._fault = fault;
    }

    public long LinesWritten => Interlocked.Read(ref _written);

    private long _written;

    /// <summary>The line for <paramref name="reading"/>, checksum and CR LF included.</summary>
    public static string Format(string machine, MachineReading reading)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"EB ID={machine} T={reading.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} ST={reading.State.ToString().ToUpperInvariant()} MD={reading.Mode.ToString().ToUpperInvariant()} PCS={reading.PiecesOut} IN={reading.PiecesIn} GLUE={reading.GlueTemperature:0.0} SET={reading.GlueSetpoint:0.0} FEED={reading.FeedSpeed:0.0} TRIM={TrimmingStates[Math.Min(reading.TrimmingUnit, (ushort)3)]} ALM={reading.Alarm} CT={reading.CycleTime:0.0}");
        return NmeaFraming.Frame(body);
    }

    public void Publish(MachineReading reading) => _line = Format(_spec.Id, reading);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _port = new SerialPort(_spec.SerialPort!, _spec.BaudRate, _spec.Parity, 8, StopBits.One) { Handshake = Handshake.None, WriteTimeout = 2000 };
        _port.Open();
        _port.DiscardInBuffer();
        _printing = PrintAsync(_port.BaseStream);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_printing is not null)
        {
            await _printing;
        }

        _port?.Dispose();
        _stopping.Dispose();
    }

    private async Task PrintAsync(Stream stream)
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var now = _fault();
                await Task.Delay(_spec.LinePeriod + (now.Kind == FaultKind.Slow ? now.Delay : TimeSpan.Zero), _stopping.Token);
                var text = now.Kind switch
                {
                    FaultKind.Drop or FaultKind.Silent => null,
                    FaultKind.Exception => NmeaFraming.Frame($"EB ID={_spec.Id} ERR={now.ExceptionCode}"),
                    FaultKind.Garbage => Garble(_line),
                    _ => _line,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stopping.Token);
                    await stream.FlushAsync(_stopping.Token);
                    Interlocked.Increment(ref _written);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or TimeoutException)
        {
            // Stopped, or the line went away.
        }
    }

    private static string Garble(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 1; i < chars.Length - 2; i++)
        {
            if (Random.Shared.Next(4) == 0)
            {
                chars[i] = (char)Random.Shared.Next(0x20, 0x7F);
            }
        }

        return new string(chars);
    }
}
