using System.IO.Ports;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Edge.Signals;

namespace DomioOps.Edge.Acquisition;

/// <summary>A machine read over Modbus TCP.</summary>
public sealed class ModbusTcpDeviceOptions
{
    /// <summary>The machine id the samples are reported under.</summary>
    public string Machine { get; set; } = "";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 502;

    public byte UnitId { get; set; } = 1;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public List<RegisterTagOptions> Tags { get; set; } = [];
}

/// <summary>
/// One serial port (RS-485/RS-232) with Modbus RTU or ASCII units. The units share one master and so the line,
/// one request at a time; each unit has its own poll loop, response timeout and circuit breaker.
/// </summary>
public sealed class ModbusSerialBusOptions : SerialLineOptions
{
    public ModbusSerialBusOptions()
    {
        // Modbus over Serial Line v1.02 §2.5.1: the default is 19200 baud, even parity.
        BaudRate = 19200;
        Parity = Parity.Even;
    }

    public ModbusSerialFraming Framing { get; set; } = ModbusSerialFraming.Rtu;

    /// <summary>How long a request waits for its answer, unless the unit sets its own.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consecutive failures after which a unit's circuit opens and its requests are refused without touching the line.</summary>
    public int FailuresBeforeOpen { get; set; } = 3;

    /// <summary>How long an open circuit refuses requests before one trial request.</summary>
    public TimeSpan OpenDuration { get; set; } = TimeSpan.FromSeconds(10);

    public List<ModbusUnitOptions> Units { get; set; } = [];
}

/// <summary>A machine behind one unit id on a Modbus serial bus.</summary>
public sealed class ModbusUnitOptions
{
    public string Machine { get; set; } = "";

    public byte UnitId { get; set; } = 1;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>This unit's response timeout; the bus's when not set.</summary>
    public TimeSpan? ResponseTimeout { get; set; }

    public List<RegisterTagOptions> Tags { get; set; } = [];
}

/// <summary>A Modbus value (register, registers or bit) mapped to a canonical signal.</summary>
public sealed class RegisterTagOptions : TagOptions
{
    /// <summary>HoldingRegisters (default), InputRegisters, Coils or DiscreteInputs.</summary>
    public ModbusTable Table { get; set; } = ModbusTable.HoldingRegisters;

    /// <summary>Zero-based protocol address of the (first) register or of the bit.</summary>
    public ushort Register { get; set; }

    /// <summary>The value's data type (Bit, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64); coils and discrete inputs are bits.</summary>
    public ModbusDataType Type { get; set; } = ModbusDataType.UInt16;

    /// <summary>Byte and word order of multi-register values: ABCD (big-endian, high word first), CDAB, BADC, DCBA.</summary>
    public ModbusByteOrder ByteOrder { get; set; } = ModbusByteOrder.ABCD;

    /// <summary>For <see cref="ModbusDataType.Bit"/> in a register: the bit, 0–15.</summary>
    public int Bit { get; set; }
}

/// <summary>Settings of a serial port (a device path such as /dev/ttyUSB0, a socat link, or COM3).</summary>
public abstract class SerialLineOptions
{
    public string? SerialPort { get; set; }

    public int BaudRate { get; set; } = 9600;

    public Parity Parity { get; set; } = Parity.None;

    public int DataBits { get; set; } = 8;

    public StopBits StopBits { get; set; } = StopBits.One;

    /// <summary>Drive RTS/DTR for RS-485 adapters that need it; pseudo-terminals have none (setting them fails).</summary>
    public bool RtsEnable { get; set; }

    public bool DtrEnable { get; set; }
}
