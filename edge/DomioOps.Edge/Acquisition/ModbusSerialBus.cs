using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Edge.Acquisition;

/// <summary>The one master of a serial port, shared by the drivers of its units.</summary>
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
                UnitResponseTimeouts = bus.Units.Where(s => s.ResponseTimeout is not null).ToDictionary(s => s.UnitId, s => s.ResponseTimeout!.Value),
                FailuresBeforeOpen = bus.FailuresBeforeOpen,
                OpenDuration = bus.OpenDuration,
            },
            time);
}
