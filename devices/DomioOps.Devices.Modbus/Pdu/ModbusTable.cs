namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>The four primary tables of the Modbus data model (Modbus Application Protocol v1.1b3, §4.3).</summary>
public enum ModbusTable
{
    Coils,
    DiscreteInputs,
    HoldingRegisters,
    InputRegisters,
}
