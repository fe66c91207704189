namespace DomioOps.Devices.Modbus.Server;

/// <summary>How a server misbehaves towards one request: fault injection for simulators and fault tests.</summary>
public enum ModbusServerFaultKind
{
    /// <summary>Answer normally (after <see cref="ModbusServerFault.Delay"/>, if any).</summary>
    None,

    /// <summary>Read the request and never answer it.</summary>
    NoAnswer,

    /// <summary>Close the client's connection (TCP); on a serial line the same as <see cref="NoAnswer"/>.</summary>
    Disconnect,

    /// <summary>Answer with an exception response carrying <see cref="ModbusServerFault.ExceptionCode"/>.</summary>
    Exception,

    /// <summary>Answer with random bytes of the length the real answer would have had.</summary>
    Garbage,
}
