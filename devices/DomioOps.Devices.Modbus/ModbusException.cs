namespace DomioOps.Devices.Modbus;

/// <summary>Base of every Modbus failure: exception responses, protocol errors, timeouts, lost connections.</summary>
public class ModbusException : Exception
{
    public ModbusException() { }
    public ModbusException(string message) : base(message) { }
    public ModbusException(string message, Exception inner) : base(message, inner) { }
}
