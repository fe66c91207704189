namespace DomioOps.Devices.Modbus;

/// <summary>The connection or port is not open, could not be opened, or closed while a request was in flight.</summary>
public sealed class ModbusConnectionException : ModbusException
{
    public ModbusConnectionException() { }
    public ModbusConnectionException(string message) : base(message) { }
    public ModbusConnectionException(string message, Exception inner) : base(message, inner) { }
}
