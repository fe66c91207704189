using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>A Modbus client (master) over any transport. Addresses are 0-based protocol addresses.</summary>
public interface IModbusClient : IAsyncDisposable
{
    /// <summary>Function 01.</summary>
    ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken);

    /// <summary>Function 01 into <paramref name="destination"/>; its length is the count.</summary>
    ValueTask ReadCoilsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken);

    /// <summary>Function 02.</summary>
    ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken);

    /// <summary>Function 02 into <paramref name="destination"/>; its length is the count.</summary>
    ValueTask ReadDiscreteInputsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken);

    /// <summary>Function 03.</summary>
    ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken);

    /// <summary>Function 03 into <paramref name="destination"/>; its length is the count.</summary>
    ValueTask ReadHoldingRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken);

    /// <summary>Function 04.</summary>
    ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken);

    /// <summary>Function 04 into <paramref name="destination"/>; its length is the count.</summary>
    ValueTask ReadInputRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken);

    /// <summary>Function 05.</summary>
    ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken);

    /// <summary>Function 06.</summary>
    ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken);

    /// <summary>Function 0F.</summary>
    ValueTask WriteMultipleCoilsAsync(byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken);

    /// <summary>Function 10.</summary>
    ValueTask WriteMultipleRegistersAsync(byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken);

    /// <summary>Function 16: register = (register AND andMask) OR (orMask AND NOT andMask).</summary>
    ValueTask MaskWriteRegisterAsync(byte unitId, ushort address, ushort andMask, ushort orMask, CancellationToken cancellationToken);

    /// <summary>Function 17: writes <paramref name="values"/> at <paramref name="writeAddress"/>, then reads.</summary>
    ValueTask<ushort[]> ReadWriteMultipleRegistersAsync(
        byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken);

    /// <summary>Function 2B/0E: every object of <paramref name="category"/> and below, following "more follows".</summary>
    ValueTask<ModbusDeviceIdentification> ReadDeviceIdentificationAsync(byte unitId, ModbusDeviceIdCategory category, CancellationToken cancellationToken);
}
