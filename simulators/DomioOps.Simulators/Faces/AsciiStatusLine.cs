using System.Globalization;
using System.IO.Ports;
using System.Text;

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
    private readonly MachineSpec spec;
    private readonly Func<MachineFault> fault;
    private readonly CancellationTokenSource stopping = new();
    private SerialPort? port;
    private Task? printing;
    private volatile string line = "";

    public AsciiStatusLine(MachineSpec spec, Func<MachineFault> fault)
    {
        this.spec = spec;
        this.fault = fault;
    }

    public long LinesWritten => Interlocked.Read(ref written);

    private long written;

    /// <summary>The line for <paramref name="reading"/>, checksum and CR LF included.</summary>
    public static string Format(string machine, MachineReading reading)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"EB ID={machine} T={reading.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} ST={reading.State.ToString().ToUpperInvariant()} MD={reading.Mode.ToString().ToUpperInvariant()} PCS={reading.PiecesOut} IN={reading.PiecesIn} GLUE={reading.GlueTemperature:0.0} SET={reading.GlueSetpoint:0.0} FEED={reading.FeedSpeed:0.0} TRIM={TrimmingStates[Math.Min(reading.TrimmingUnit, (ushort)3)]} ALM={reading.Alarm} CT={reading.CycleTime:0.0}");
        return $"${body}*{Checksum(body):X2}\r\n";
    }

    /// <summary>XOR of the characters between '$' and '*' (as NMEA 0183).</summary>
    public static byte Checksum(string body)
    {
        byte sum = 0;
        foreach (var c in body)
        {
            sum ^= (byte)c;
        }

        return sum;
    }

    public void Publish(MachineReading reading) => line = Format(spec.Id, reading);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        port = new SerialPort(spec.SerialPort!, spec.BaudRate, spec.Parity, 8, StopBits.One) { Handshake = Handshake.None, WriteTimeout = 2000 };
        port.Open();
        port.DiscardInBuffer();
        printing = PrintAsync(port.BaseStream);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (printing is not null)
        {
            await printing;
        }

        port?.Dispose();
        stopping.Dispose();
    }

    private async Task PrintAsync(Stream stream)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var now = fault();
                await Task.Delay(spec.LinePeriod + (now.Kind == FaultKind.Slow ? now.Delay : TimeSpan.Zero), stopping.Token);
                var text = now.Kind switch
                {
                    FaultKind.Drop or FaultKind.Silent => null,
                    FaultKind.Exception => $"$EB ID={spec.Id} ERR={now.ExceptionCode}*{Checksum($"EB ID={spec.Id} ERR={now.ExceptionCode}"):X2}\r\n",
                    FaultKind.Garbage => Garble(line),
                    _ => line,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(text), stopping.Token);
                    await stream.FlushAsync(stopping.Token);
                    Interlocked.Increment(ref written);
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
