using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>One read request planned by <see cref="ModbusReadPlanner"/> and the tags it serves.</summary>
public sealed record ModbusReadBlock(byte UnitId, ModbusTable Table, ushort Address, ushort Count, IReadOnlyList<ModbusTagAddress> Tags)
{
    /// <summary>Reads the block's registers (holding or input) with <paramref name="client"/>.</summary>
    public ValueTask<ushort[]> ReadRegistersAsync(IModbusClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Table switch
        {
            ModbusTable.HoldingRegisters => client.ReadHoldingRegistersAsync(UnitId, Address, Count, cancellationToken),
            ModbusTable.InputRegisters => client.ReadInputRegistersAsync(UnitId, Address, Count, cancellationToken),
            _ => throw new InvalidOperationException($"{Table} holds bits; use ReadBitsAsync."),
        };
    }

    /// <summary>Reads the block's bits (coils or discrete inputs) with <paramref name="client"/>.</summary>
    public ValueTask<bool[]> ReadBitsAsync(IModbusClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Table switch
        {
            ModbusTable.Coils => client.ReadCoilsAsync(UnitId, Address, Count, cancellationToken),
            ModbusTable.DiscreteInputs => client.ReadDiscreteInputsAsync(UnitId, Address, Count, cancellationToken),
            _ => throw new InvalidOperationException($"{Table} holds registers; use ReadRegistersAsync."),
        };
    }

    /// <summary>The part of the block's data that belongs to <paramref name="tag"/>.</summary>
    public ReadOnlySpan<T> Slice<T>(ReadOnlySpan<T> blockData, ModbusTagAddress tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag.UnitId != UnitId || tag.Table != Table || tag.Address < Address || tag.Address + tag.Count > Address + Count)
        {
            throw new ArgumentException($"Tag {tag} is not inside block {Table} {Address}+{Count}.", nameof(tag));
        }

        return blockData.Slice(tag.Address - Address, tag.Count);
    }
}
