namespace DomioOps.Devices.Modbus.Server;

/// <summary>A table of 16-bit registers in a <see cref="ModbusDataModel"/>; thread-safe.</summary>
public sealed class ModbusRegisterTable : ModbusValueTable<ushort>
{
    internal ModbusRegisterTable(int count, Lock gate)
        : base(count, gate)
    {
    }
}
