namespace DomioOps.Devices.Modbus;

/// <summary>A frame that breaks the protocol: malformed, oversized, bad CRC/LRC, or not matching its request.</summary>
public sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException() { }
    public ModbusProtocolException(string message) : base(message) { }
    public ModbusProtocolException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The frame arrived whole but its CRC-16 (RTU) or LRC (ASCII) did not match.</summary>
    public bool IsChecksumMismatch { get; init; }
}
