using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>
/// A deliberate misbehaviour, asked for per request through <see cref="ModbusTcpServer.Fault"/> or
/// <see cref="ModbusSerialServer.Fault"/> with the unit id the request is addressed to.
/// </summary>
public readonly record struct ModbusServerFault(ModbusServerFaultKind Kind, TimeSpan Delay = default, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.ServerDeviceFailure)
{
    public static ModbusServerFault None => default;
}
