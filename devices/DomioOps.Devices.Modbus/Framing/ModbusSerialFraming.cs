namespace DomioOps.Devices.Modbus.Framing;

/// <summary>Transmission mode on a serial line (Modbus over Serial Line v1.02, §2.5).</summary>
public enum ModbusSerialFraming
{
    Rtu,
    Ascii,
}
