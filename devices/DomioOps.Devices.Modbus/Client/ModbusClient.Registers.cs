using System.Runtime.CompilerServices;

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

// Holding and input registers: functions 03, 04, 06, 10, 16 and 17 (Modbus Application Protocol v1.1b3, §6.3, §6.4,
// §6.6, §6.12, §6.16, §6.17).
public abstract partial class ModbusClient
{
    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadHoldingRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, startAddress, destination, cancellationToken);

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadInputRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, startAddress, destination, cancellationToken);

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken) =>
        WriteSingleAsync(ModbusFunctionCode.WriteSingleRegister, unitId, address, value, cancellationToken);

    public async ValueTask WriteMultipleRegistersAsync(byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(values.Length, ModbusPdu.MaxWriteRegisters, nameof(values));
        ModbusPdu.CheckRange(startAddress, values.Length, nameof(values));
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.WriteMultipleRegistersRequest(t.Buffer.AsSpan(_transport.PduOffset), startAddress, values.Span);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), ModbusFunctionCode.WriteMultipleRegisters, startAddress, (ushort)values.Length);
        }
        finally
        {
            _transport.Return(t);
        }
    }

    public async ValueTask MaskWriteRegisterAsync(byte unitId, ushort address, ushort andMask, ushort orMask, CancellationToken cancellationToken)
    {
        var t = _transport.Rent();
        try
        {
            Span<byte> request = stackalloc byte[7];
            ModbusPdu.MaskWriteRegisterRequest(request, address, andMask, orMask);
            request.CopyTo(t.Buffer.AsSpan(_transport.PduOffset));
            var length = await _transport.TransactAsync(unitId, t, 7, idempotent: false, cancellationToken).ConfigureAwait(false);
            Span<byte> expected = stackalloc byte[7];
            ModbusPdu.MaskWriteRegisterRequest(expected, address, andMask, orMask);
            ModbusPdu.CheckMaskWriteResponse(t.Buffer.AsSpan(0, length), expected);
        }
        finally
        {
            _transport.Return(t);
        }
    }

    public async ValueTask<ushort[]> ReadWriteMultipleRegistersAsync(
        byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(readCount, ModbusPdu.MaxReadRegisters, nameof(readCount));
        ModbusPdu.CheckRange(readAddress, readCount, nameof(readCount));
        ModbusPdu.CheckQuantity(values.Length, ModbusPdu.MaxReadWriteWriteRegisters, nameof(values));
        ModbusPdu.CheckRange(writeAddress, values.Length, nameof(values));
        var result = new ushort[readCount];
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.ReadWriteMultipleRegistersRequest(t.Buffer.AsSpan(_transport.PduOffset), readAddress, readCount, writeAddress, values.Span);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadRegistersResponse(t.Buffer.AsSpan(0, length), ModbusFunctionCode.ReadWriteMultipleRegisters, result);
        }
        finally
        {
            _transport.Return(t);
        }

        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort start, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(destination.Length, ModbusPdu.MaxReadRegisters, nameof(destination));
        ModbusPdu.CheckRange(start, destination.Length, nameof(destination));
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(_transport.PduOffset), function, start, (ushort)destination.Length);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadRegistersResponse(t.Buffer.AsSpan(0, length), function, destination.Span);
        }
        finally
        {
            _transport.Return(t);
        }
    }

    private async ValueTask<ushort[]> ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort start, ushort count, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(count, ModbusPdu.MaxReadRegisters, nameof(count));
        var values = new ushort[count];
        await ReadRegistersAsync(function, unitId, start, values, cancellationToken).ConfigureAwait(false);
        return values;
    }
}
