using DomioOps.Devices.Modbus;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>A machine read over Modbus TCP.</summary>
public sealed class ModbusDeviceOptions
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

/// <summary>A holding register (or pair) mapped to a canonical signal.</summary>
public sealed class RegisterTagOptions
{
    public Signal Signal { get; set; }

    /// <summary>Zero-based holding register address.</summary>
    public ushort Register { get; set; }

    /// <summary>The value's data type (Bit, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64).</summary>
    public ModbusDataType Type { get; set; } = ModbusDataType.UInt16;

    /// <summary>Byte and word order of multi-register values: ABCD (big-endian, high word first), CDAB, BADC, DCBA.</summary>
    public ModbusByteOrder ByteOrder { get; set; } = ModbusByteOrder.ABCD;

    /// <summary>For <see cref="ModbusDataType.Bit"/>: the bit of the register, 0–15.</summary>
    public int Bit { get; set; }

    /// <summary>Engineering value = raw × Scale + Offset.</summary>
    public double Scale { get; set; } = 1;

    public double Offset { get; set; }

    /// <summary>A change smaller than this (in engineering units) is not reported; 0 reports every change.</summary>
    public double Deadband { get; set; }

    /// <summary>A sample is reported on every change beyond the deadband, and at least this often when nothing changes.</summary>
    public TimeSpan MaxSilence { get; set; } = TimeSpan.FromSeconds(30);
}
