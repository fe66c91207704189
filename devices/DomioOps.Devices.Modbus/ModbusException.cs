namespace DomioOps.Devices.Modbus;

/// <summary>A Modbus protocol error: a malformed frame or an exception response.</summary>
public class ModbusException : Exception
{
    public ModbusException() { }
    public ModbusException(string message) : base(message) { }
    public ModbusException(string message, Exception inner) : base(message, inner) { }
}
