namespace DomioOps.Devices.Modbus.Server;

/// <summary>A table of single bits (coils or discrete inputs) in a <see cref="ModbusDataModel"/>; thread-safe.</summary>
public sealed class ModbusBitTable : ModbusValueTable<bool>
{
    internal ModbusBitTable(int count, Lock gate)
        : base(count, gate)
    {
    }
}
