namespace DomioOps.Edge.Acquisition;

/// <summary>
/// The machines this edge reads, one list per protocol (section <c>Edge:Devices</c>). Every device (every unit
/// of a serial bus) gets its own driver, connection or circuit breaker and back-off.
/// </summary>
public sealed class DevicesOptions
{
    /// <summary>Modbus TCP devices (<c>Edge:Devices:ModbusTcp:N</c>).</summary>
    public List<ModbusTcpDeviceOptions> ModbusTcp { get; set; } = [];

    /// <summary>Serial ports carrying Modbus RTU or ASCII, each with its units (<c>Edge:Devices:ModbusSerial:N:Units:M</c>).</summary>
    public List<ModbusSerialBusOptions> ModbusSerial { get; set; } = [];

    /// <summary>OPC UA servers (<c>Edge:Devices:OpcUa:N</c>): configured tags, or the woodworking machines found on them.</summary>
    public List<OpcUaDeviceOptions> OpcUa { get; set; } = [];

    /// <summary>Devices that send ASCII text lines over a serial port or TCP (<c>Edge:Devices:Line:N</c>).</summary>
    public List<LineDeviceOptions> Line { get; set; } = [];
}
