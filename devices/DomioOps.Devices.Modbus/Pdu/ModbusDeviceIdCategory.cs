namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>Read device id code (Modbus Application Protocol v1.1b3, §6.21).</summary>
public enum ModbusDeviceIdCategory : byte
{
    Basic = 0x01,
    Regular = 0x02,
    Extended = 0x03,
    Individual = 0x04,
}
