namespace DomioOps.Devices.Modbus.Client;

/// <summary>State of a unit's circuit breaker on a serial bus.</summary>
public enum ModbusCircuitState
{
    /// <summary>Requests flow.</summary>
    Closed,

    /// <summary>The unit failed repeatedly; requests are refused at once until the open period ends.</summary>
    Open,

    /// <summary>The open period ended; the next request is a trial that closes or reopens the circuit.</summary>
    HalfOpen,
}
