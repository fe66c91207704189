using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus;

/// <summary>The device answered with an exception response (Modbus Application Protocol v1.1b3, §7).</summary>
public sealed class ModbusExceptionResponseException : ModbusException
{
    public ModbusExceptionResponseException() : this(0, ModbusExceptionCode.ServerDeviceFailure) { }
    public ModbusExceptionResponseException(string message) : base(message) { }
    public ModbusExceptionResponseException(string message, Exception inner) : base(message, inner) { }

    public ModbusExceptionResponseException(ModbusFunctionCode functionCode, ModbusExceptionCode exceptionCode)
        : base($"Exception response to function 0x{(byte)functionCode:X2}: {exceptionCode} (0x{(byte)exceptionCode:X2}).")
    {
        FunctionCode = functionCode;
        ExceptionCode = exceptionCode;
    }

    /// <summary>The function the request used (without the 0x80 flag).</summary>
    public ModbusFunctionCode FunctionCode { get; }

    public ModbusExceptionCode ExceptionCode { get; }
}
