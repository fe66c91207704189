using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>
/// A <see cref="ModbusClient"/> for a bus of several units on one serial port (RTU or ASCII), or for RTU/ASCII
/// frames tunnelled over TCP. One request is on the bus at a time, in arrival order, paced by the inter-frame
/// silence. Each unit has its own response timeout and circuit breaker, so a dead unit costs a few timeouts and is
/// then skipped until its open period ends, never stalling the others.
/// </summary>
public sealed class ModbusSerialClient : ModbusClient
{
    private readonly ModbusSerialTransport _serial;

    /// <summary>A client on a serial port.</summary>
    public ModbusSerialClient(ModbusSerialPortOptions port, ModbusSerialClientOptions options, TimeProvider? timeProvider = null)
        : this(ModbusSerialTransport.OnPort(port, options, timeProvider))
    {
    }

    internal ModbusSerialClient(
        Func<CancellationToken, Task<ModbusLine>> openLine,
        ModbusSerialClientOptions options,
        TimeSpan interFrameDelay,
        TimeProvider? timeProvider,
        string endpoint = "line",
        bool overTcp = false)
        : this(new ModbusSerialTransport(openLine, options, interFrameDelay, timeProvider, endpoint, overTcp))
    {
    }

    private ModbusSerialClient(ModbusSerialTransport transport)
        : base(transport)
    {
        _serial = transport;
    }

    /// <summary>RTU or ASCII frames over a TCP connection to <paramref name="host"/> (a serial gateway or a device speaking RTU over TCP).</summary>
    public static ModbusSerialClient OverTcp(string host, int port, ModbusSerialClientOptions options, TimeProvider? timeProvider = null) =>
        new(ModbusSerialTransport.OverTcp(host, port, options, timeProvider));

    /// <summary>The circuit breaker state of <paramref name="unitId"/>.</summary>
    public ModbusCircuitState GetCircuitState(byte unitId) => _serial.GetCircuitState(unitId);
}
