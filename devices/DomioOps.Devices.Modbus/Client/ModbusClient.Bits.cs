using System.Runtime.CompilerServices;

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

// Coils and discrete inputs: functions 01, 02, 05 and 0F (Modbus Application Protocol v1.1b3, §6.1, §6.2, §6.5, §6.11).
public abstract partial class ModbusClient
{
    public ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadCoilsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken) =>
        ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, startAddress, destination, cancellationToken);

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadDiscreteInputsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken) =>
        ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, startAddress, destination, cancellationToken);

    public ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken) =>
        WriteSingleAsync(ModbusFunctionCode.WriteSingleCoil, unitId, address, value ? ModbusPdu.CoilOn : (ushort)0, cancellationToken);

    public async ValueTask WriteMultipleCoilsAsync(byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(values.Length, ModbusPdu.MaxWriteBits, nameof(values));
        ModbusPdu.CheckRange(startAddress, values.Length, nameof(values));
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.WriteMultipleCoilsRequest(t.Buffer.AsSpan(_transport.PduOffset), startAddress, values.Span);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), ModbusFunctionCode.WriteMultipleCoils, startAddress, (ushort)values.Length);
        }
        finally
        {
            _transport.Return(t);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort start, Memory<bool> destination, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(destination.Length, ModbusPdu.MaxReadBits, nameof(destination));
        ModbusPdu.CheckRange(start, destination.Length, nameof(destination));
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(_transport.PduOffset), function, start, (ushort)destination.Length);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadBitsResponse(t.Buffer.AsSpan(0, length), function, destination.Span);
        }
        finally
        {
            _transport.Return(t);
        }
    }

    private async ValueTask<bool[]> ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort start, ushort count, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(count, ModbusPdu.MaxReadBits, nameof(count));
        var values = new bool[count];
        await ReadBitsAsync(function, unitId, start, values, cancellationToken).ConfigureAwait(false);
        return values;
    }
}
