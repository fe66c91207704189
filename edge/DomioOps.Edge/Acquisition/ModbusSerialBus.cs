using DomioOps.Devices.Modbus;

namespace DomioOps.Edge.Acquisition;

/// <summary>The one master of a serial port, shared by the pollers of its slaves.</summary>
internal static class ModbusSerialBus
{
    public static ModbusSerialClient Open(ModbusSerialBusOptions bus, TimeProvider time) =>
        new(
            new ModbusSerialPortOptions(bus.SerialPort!, bus.BaudRate)
            {
                Parity = bus.Parity,
                DataBits = bus.DataBits,
                StopBits = bus.StopBits,
                RtsEnable = bus.RtsEnable,
                DtrEnable = bus.DtrEnable,
            },
            new ModbusSerialClientOptions
            {
                Framing = bus.Framing,
                ResponseTimeout = bus.ResponseTimeout,
                UnitResponseTimeouts = bus.Slaves.Where(s => s.ResponseTimeout is not null).ToDictionary(s => s.UnitId, s => s.ResponseTimeout!.Value),
                FailuresBeforeOpen = bus.FailuresBeforeOpen,
                OpenDuration = bus.OpenDuration,
            },
            time);
}
