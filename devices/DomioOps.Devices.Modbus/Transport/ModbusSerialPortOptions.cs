using System.IO.Ports;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>A serial port as <see cref="SerialPort"/> opens it. The serial line guide's default is 19200 8E1.</summary>
/// <param name="PortName">e.g. /dev/ttyUSB0, a socat pty link, or COM3.</param>
public sealed record ModbusSerialPortOptions(string PortName, int BaudRate = 19200)
{
    public Parity Parity { get; init; } = Parity.Even;

    public int DataBits { get; init; } = 8;

    public StopBits StopBits { get; init; } = StopBits.One;

    /// <summary>Drive RTS/DTR for RS-485 adapters that need it; pseudo-terminals have no modem lines.</summary>
    public bool RtsEnable { get; init; }

    public bool DtrEnable { get; init; }

    /// <summary>3.5 character times of silence between frames (§2.5.1.1); fixed at 1.75 ms above 19200 baud.</summary>
    internal TimeSpan InterFrameSilence =>
        BaudRate > 19200 ? TimeSpan.FromMicroseconds(1750) : TimeSpan.FromSeconds(3.5 * 11 / BaudRate);

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PortName);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaudRate, 300);
        ArgumentOutOfRangeException.ThrowIfLessThan(DataBits, 7);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DataBits, 8);
    }

    internal SerialPort Open()
    {
        var port = new SerialPort(PortName, BaudRate, Parity, DataBits, StopBits)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = 2000,
        };
        try
        {
            port.Open();
            if (RtsEnable)
            {
                port.RtsEnable = true;
            }

            if (DtrEnable)
            {
                port.DtrEnable = true;
            }

            // Bytes written while nobody listened are still queued: start from silence.
            port.DiscardInBuffer();
            return port;
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }
}
