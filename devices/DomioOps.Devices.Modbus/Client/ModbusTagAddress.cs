using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>Where a tag lives: unit, table, first address and how many registers or bits it spans.</summary>
public sealed record ModbusTagAddress(byte UnitId, ModbusTable Table, ushort Address, ushort Count = 1)
{
    internal void Validate(int max)
    {
        if (Count < 1 || Count > max || Address + Count > 0x10000)
        {
            throw new ArgumentException($"Tag at {Table} {Address} with count {Count} does not fit one request (1..{max}) or the address space.");
        }
    }
}
