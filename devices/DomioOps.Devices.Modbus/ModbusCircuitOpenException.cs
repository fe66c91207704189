namespace DomioOps.Devices.Modbus;

/// <summary>A request was refused without touching the bus because the unit's circuit breaker is open.</summary>
public sealed class ModbusCircuitOpenException : ModbusException
{
    public ModbusCircuitOpenException() { }
    public ModbusCircuitOpenException(string message) : base(message) { }
    public ModbusCircuitOpenException(string message, Exception inner) : base(message, inner) { }
}
