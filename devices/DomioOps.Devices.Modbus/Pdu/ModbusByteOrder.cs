namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>
/// How a multi-register value is laid out, named by where the bytes A (most significant) .. D land for a
/// 32-bit value; 64-bit values and strings extend the same rule to more registers.
/// </summary>
public enum ModbusByteOrder
{
    /// <summary>Big-endian: most significant register first, high byte first in each register (the Modbus default).</summary>
    ABCD,

    /// <summary>Word swap: least significant register first, high byte first in each register.</summary>
    CDAB,

    /// <summary>Byte swap: most significant register first, low byte first in each register.</summary>
    BADC,

    /// <summary>Little-endian: least significant register first, low byte first in each register.</summary>
    DCBA,
}
