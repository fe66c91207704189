using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>
/// What one unit serves: coils, discrete inputs, holding and input registers (Modbus Application
/// Protocol v1.1b3, §4.3). Thread-safe: a simulator sets values from its own loop while servers read them.
/// </summary>
public sealed class ModbusDataModel
{
    private readonly Lock _gate = new();

    /// <summary>Creates tables of <paramref name="size"/> entries each (65536 by default: the whole address space).</summary>
    public ModbusDataModel(int size = 65536)
        : this(size, size, size, size)
    {
    }

    public ModbusDataModel(int coils, int discreteInputs, int holdingRegisters, int inputRegisters)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(coils, 65536);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(discreteInputs, 65536);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdingRegisters, 65536);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputRegisters, 65536);
        Coils = new ModbusBitTable(coils, _gate);
        DiscreteInputs = new ModbusBitTable(discreteInputs, _gate);
        HoldingRegisters = new ModbusRegisterTable(holdingRegisters, _gate);
        InputRegisters = new ModbusRegisterTable(inputRegisters, _gate);
    }

    public ModbusBitTable Coils { get; }

    public ModbusBitTable DiscreteInputs { get; }

    public ModbusRegisterTable HoldingRegisters { get; }

    public ModbusRegisterTable InputRegisters { get; }

    /// <summary>
    /// Dynamic values: called with (table, address, count) before a request reads them, outside the
    /// model's lock, so it may set the values it is asked for. Throwing
    /// <see cref="ModbusExceptionResponseException"/> answers with that exception code.
    /// </summary>
    public Action<ModbusTable, ushort, ushort>? BeforeRead { get; set; }

    /// <summary>Called with (table, address, count) after a request wrote values.</summary>
    public Action<ModbusTable, ushort, ushort>? AfterWrite { get; set; }

    /// <summary>Objects answered to Read Device Identification (2B/0E), by object id; none by default.</summary>
    public IReadOnlyDictionary<byte, string> DeviceIdentification { get; set; } = new Dictionary<byte, string>();

    public void SetHoldingRegisters(int address, ReadOnlySpan<ushort> values) => HoldingRegisters.Set(address, values);

    public void SetInputRegisters(int address, ReadOnlySpan<ushort> values) => InputRegisters.Set(address, values);

    internal Lock Gate => _gate;
}
