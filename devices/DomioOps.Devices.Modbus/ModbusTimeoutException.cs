namespace DomioOps.Devices.Modbus;

/// <summary>No response arrived within the response timeout.</summary>
public sealed class ModbusTimeoutException : ModbusException
{
    public ModbusTimeoutException() { }
    public ModbusTimeoutException(string message) : base(message) { }
    public ModbusTimeoutException(string message, Exception inner) : base(message, inner) { }
}
