using System.Runtime.CompilerServices;

namespace DomioOps.Devices.Modbus;

/// <summary>The client functions, written once over any <see cref="IModbusTransport"/>.</summary>
internal sealed class ModbusFunctions(IModbusTransport transport)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort start, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(destination.Length, ModbusPdu.MaxReadRegisters, nameof(destination));
        ModbusPdu.CheckRange(start, destination.Length, nameof(destination));
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(transport.PduOffset), function, start, (ushort)destination.Length);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadRegistersResponse(t.Buffer.AsSpan(0, length), function, destination.Span);
        }
        finally
        {
            transport.Return(t);
        }
    }

    public async ValueTask<ushort[]> ReadRegistersAsync(ModbusFunctionCode function, byte unitId, ushort start, ushort count, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(count, ModbusPdu.MaxReadRegisters, nameof(count));
        var values = new ushort[count];
        await ReadRegistersAsync(function, unitId, start, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort start, Memory<bool> destination, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(destination.Length, ModbusPdu.MaxReadBits, nameof(destination));
        ModbusPdu.CheckRange(start, destination.Length, nameof(destination));
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(transport.PduOffset), function, start, (ushort)destination.Length);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadBitsResponse(t.Buffer.AsSpan(0, length), function, destination.Span);
        }
        finally
        {
            transport.Return(t);
        }
    }

    public async ValueTask<bool[]> ReadBitsAsync(ModbusFunctionCode function, byte unitId, ushort start, ushort count, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(count, ModbusPdu.MaxReadBits, nameof(count));
        var values = new bool[count];
        await ReadBitsAsync(function, unitId, start, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteSingleAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort value, CancellationToken cancellationToken)
    {
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(transport.PduOffset), function, address, value);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), function, address, value);
        }
        finally
        {
            transport.Return(t);
        }
    }

    public async ValueTask WriteMultipleRegistersAsync(byte unitId, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(values.Length, ModbusPdu.MaxWriteRegisters, nameof(values));
        ModbusPdu.CheckRange(start, values.Length, nameof(values));
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.WriteMultipleRegistersRequest(t.Buffer.AsSpan(transport.PduOffset), start, values.Span);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), ModbusFunctionCode.WriteMultipleRegisters, start, (ushort)values.Length);
        }
        finally
        {
            transport.Return(t);
        }
    }

    public async ValueTask WriteMultipleCoilsAsync(byte unitId, ushort start, ReadOnlyMemory<bool> values, CancellationToken cancellationToken)
    {
        ModbusPdu.CheckQuantity(values.Length, ModbusPdu.MaxWriteBits, nameof(values));
        ModbusPdu.CheckRange(start, values.Length, nameof(values));
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.WriteMultipleCoilsRequest(t.Buffer.AsSpan(transport.PduOffset), start, values.Span);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), ModbusFunctionCode.WriteMultipleCoils, start, (ushort)values.Length);
        }
        finally
        {
            transport.Return(t);
        }
    }

    public async ValueTask MaskWriteRegisterAsync(byte unitId, ushort address, ushort andMask, ushort orMask, CancellationToken cancellationToken)
    {
        ModbusTransaction t = transport.Rent();
        try
        {
            Span<byte> request = stackalloc byte[7];
            ModbusPdu.MaskWriteRegisterRequest(request, address, andMask, orMask);
            request.CopyTo(t.Buffer.AsSpan(transport.PduOffset));
            int length = await transport.TransactAsync(unitId, t, 7, idempotent: false, cancellationToken).ConfigureAwait(false);
            Span<byte> expected = stackalloc byte[7];
            ModbusPdu.MaskWriteRegisterRequest(expected, address, andMask, orMask);
            ModbusPdu.CheckMaskWriteResponse(t.Buffer.AsSpan(0, length), expected);
        }
        finally
        {
            transport.Return(t);
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
        ModbusTransaction t = transport.Rent();
        try
        {
            int n = ModbusPdu.ReadWriteMultipleRegistersRequest(t.Buffer.AsSpan(transport.PduOffset), readAddress, readCount, writeAddress, values.Span);
            int length = await transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.ReadRegistersResponse(t.Buffer.AsSpan(0, length), ModbusFunctionCode.ReadWriteMultipleRegisters, result);
        }
        finally
        {
            transport.Return(t);
        }

        return result;
    }

    public async ValueTask<ModbusDeviceIdentification> ReadDeviceIdentificationAsync(byte unitId, ModbusDeviceIdCategory category, CancellationToken cancellationToken)
    {
        var objects = new Dictionary<byte, string>();
        byte conformity = 0;
        byte objectId = 0;
        ModbusTransaction t = transport.Rent();
        try
        {
            // A device that keeps saying "more follows" must still end: 256 object ids at most.
            for (int round = 0; round < 256; round++)
            {
                int n = ModbusPdu.ReadDeviceIdentificationRequest(t.Buffer.AsSpan(transport.PduOffset), category, objectId);
                int length = await transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
                byte? next = ModbusPdu.ReadDeviceIdentificationResponse(t.Buffer.AsSpan(0, length), objects, out conformity);
                if (next is null || category == ModbusDeviceIdCategory.Individual)
                {
                    break;
                }

                if (next.Value <= objectId && round > 0)
                {
                    throw new ModbusProtocolException($"Device identification does not advance (next object 0x{next.Value:X2}).");
                }

                objectId = next.Value;
            }
        }
        finally
        {
            transport.Return(t);
        }

        return new ModbusDeviceIdentification(conformity, objects);
    }
}
