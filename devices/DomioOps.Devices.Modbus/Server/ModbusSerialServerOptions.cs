using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>Options of a <see cref="ModbusSerialServer"/>.</summary>
public sealed record ModbusSerialServerOptions
{
    public ModbusSerialFraming Framing { get; init; } = ModbusSerialFraming.Rtu;

    /// <summary>
    /// Silence after which a partly received frame is taken for noise and its first byte dropped. Longer than
    /// 3.5 characters because ptys, USB adapters and tunnels deliver frames in bursts.
    /// </summary>
    public TimeSpan FrameGap { get; init; } = TimeSpan.FromMilliseconds(50);
}
