namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>What a tag's registers (or bit) hold.</summary>
#pragma warning disable CA1720 // The members name the data types exactly as device manuals do.
public enum ModbusDataType
{
    Bit,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    String,
}
#pragma warning restore CA1720
