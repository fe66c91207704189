using System.Buffers.Binary;
using System.Text;

using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Server;

// Server side of the PDU codec, Modbus Application Protocol v1.1b3, §6 (frames sketched in ModbusPdu.*.cs).
// Each request is checked in the order of the spec's state diagrams: function supported (else 01),
// quantity in range and byte count consistent (else 03), address range inside the table (else 02),
// then executed (a failure there is 04).
internal static class ModbusRequestHandler
{
    /// <summary>Serves <paramref name="request"/> from <paramref name="model"/>; writes the response PDU and returns its length.</summary>
    public static int Handle(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (request.IsEmpty)
        {
            throw new ModbusProtocolException("Empty request PDU.");
        }

        var function = request[0];
        try
        {
            return function switch
            {
                0x01 => ReadBits(model, model.Coils, ModbusTable.Coils, request, response),
                0x02 => ReadBits(model, model.DiscreteInputs, ModbusTable.DiscreteInputs, request, response),
                0x03 => ReadRegisters(model, model.HoldingRegisters, ModbusTable.HoldingRegisters, request, response),
                0x04 => ReadRegisters(model, model.InputRegisters, ModbusTable.InputRegisters, request, response),
                0x05 => WriteSingleCoil(model, request, response),
                0x06 => WriteSingleRegister(model, request, response),
                0x0F => WriteMultipleCoils(model, request, response),
                0x10 => WriteMultipleRegisters(model, request, response),
                0x16 => MaskWriteRegister(model, request, response),
                0x17 => ReadWriteMultipleRegisters(model, request, response),
                0x2B => EncapsulatedInterface(model, request, response),
                _ => Exception(response, function, ModbusExceptionCode.IllegalFunction),
            };
        }
        catch (ModbusExceptionResponseException e)
        {
            return Exception(response, function, e.ExceptionCode);
        }
#pragma warning disable CA1031 // A failing dynamic-value hook becomes "server device failure", never a dropped connection.
        catch (Exception e) when (e is not ModbusProtocolException)
#pragma warning restore CA1031
        {
            return Exception(response, function, ModbusExceptionCode.ServerDeviceFailure);
        }
    }

    public static int Exception(Span<byte> response, byte function, ModbusExceptionCode code)
    {
        response[0] = (byte)(function | ModbusPdu.ExceptionFlag);
        response[1] = (byte)code;
        return 2;
    }

    private static int ReadBits(ModbusDataModel model, ModbusBitTable table, ModbusTable kind, ReadOnlySpan<byte> request, Span<byte> response)
    {
        (var address, var count) = AddressAndQuantity(request, 5, ModbusPdu.MaxReadBits);
        CheckTableRange(address, count, table.Count);
        model.BeforeRead?.Invoke(kind, address, count);
        var byteCount = (count + 7) / 8;
        response[0] = request[0];
        response[1] = (byte)byteCount;
        lock (model.Gate)
        {
            ModbusPdu.PackBits(table.Unlocked(address, count), response.Slice(2, byteCount));
        }

        return 2 + byteCount;
    }

    private static int ReadRegisters(ModbusDataModel model, ModbusRegisterTable table, ModbusTable kind, ReadOnlySpan<byte> request, Span<byte> response)
    {
        (var address, var count) = AddressAndQuantity(request, 5, ModbusPdu.MaxReadRegisters);
        CheckTableRange(address, count, table.Count);
        model.BeforeRead?.Invoke(kind, address, count);
        response[0] = request[0];
        response[1] = (byte)(count * 2);
        lock (model.Gate)
        {
            ModbusPdu.WriteRegisters(response[2..], table.Unlocked(address, count));
        }

        return 2 + (count * 2);
    }

    private static int WriteSingleCoil(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        CheckLength(request, 5);
        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var value = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        if (value is not (0x0000 or ModbusPdu.CoilOn))
        {
            throw new ModbusExceptionResponseException(ModbusFunctionCode.WriteSingleCoil, ModbusExceptionCode.IllegalDataValue);
        }

        CheckTableRange(address, 1, model.Coils.Count);
        model.Coils[address] = value == ModbusPdu.CoilOn;
        model.AfterWrite?.Invoke(ModbusTable.Coils, address, 1);
        request[..5].CopyTo(response);
        return 5;
    }

    private static int WriteSingleRegister(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        CheckLength(request, 5);
        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        CheckTableRange(address, 1, model.HoldingRegisters.Count);
        model.HoldingRegisters[address] = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        model.AfterWrite?.Invoke(ModbusTable.HoldingRegisters, address, 1);
        request[..5].CopyTo(response);
        return 5;
    }

    private static int WriteMultipleCoils(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        (var address, var count) = AddressAndQuantity(request, 6, ModbusPdu.MaxWriteBits);
        var byteCount = (count + 7) / 8;
        if (request[5] != byteCount || request.Length != 6 + byteCount)
        {
            throw new ModbusExceptionResponseException(ModbusFunctionCode.WriteMultipleCoils, ModbusExceptionCode.IllegalDataValue);
        }

        CheckTableRange(address, count, model.Coils.Count);
        lock (model.Gate)
        {
            ModbusPdu.UnpackBits(request.Slice(6, byteCount), model.Coils.Unlocked(address, count));
        }

        model.AfterWrite?.Invoke(ModbusTable.Coils, address, count);
        request[..5].CopyTo(response);
        return 5;
    }

    private static int WriteMultipleRegisters(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        (var address, var count) = AddressAndQuantity(request, 6, ModbusPdu.MaxWriteRegisters);
        if (request[5] != count * 2 || request.Length != 6 + (count * 2))
        {
            throw new ModbusExceptionResponseException(ModbusFunctionCode.WriteMultipleRegisters, ModbusExceptionCode.IllegalDataValue);
        }

        CheckTableRange(address, count, model.HoldingRegisters.Count);
        StoreRegisters(model, address, request.Slice(6, count * 2));
        model.AfterWrite?.Invoke(ModbusTable.HoldingRegisters, address, count);
        request[..5].CopyTo(response);
        return 5;
    }

    private static int MaskWriteRegister(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        CheckLength(request, 7);
        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var andMask = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        var orMask = BinaryPrimitives.ReadUInt16BigEndian(request[5..]);
        CheckTableRange(address, 1, model.HoldingRegisters.Count);
        lock (model.Gate)
        {
            var register = model.HoldingRegisters.Unlocked(address, 1);
            register[0] = (ushort)((register[0] & andMask) | (orMask & ~andMask));
        }

        model.AfterWrite?.Invoke(ModbusTable.HoldingRegisters, address, 1);
        request[..7].CopyTo(response);
        return 7;
    }

    private static int ReadWriteMultipleRegisters(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (request.Length < 10)
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }

        var readAddress = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var readCount = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        var writeAddress = BinaryPrimitives.ReadUInt16BigEndian(request[5..]);
        var writeCount = BinaryPrimitives.ReadUInt16BigEndian(request[7..]);
        if (readCount is < 1 or > ModbusPdu.MaxReadRegisters
            || writeCount is < 1 or > ModbusPdu.MaxReadWriteWriteRegisters
            || request[9] != writeCount * 2
            || request.Length != 10 + (writeCount * 2))
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }

        CheckTableRange(readAddress, readCount, model.HoldingRegisters.Count);
        CheckTableRange(writeAddress, writeCount, model.HoldingRegisters.Count);
        StoreRegisters(model, writeAddress, request.Slice(10, writeCount * 2));
        model.AfterWrite?.Invoke(ModbusTable.HoldingRegisters, writeAddress, writeCount);
        model.BeforeRead?.Invoke(ModbusTable.HoldingRegisters, readAddress, readCount);
        response[0] = request[0];
        response[1] = (byte)(readCount * 2);
        lock (model.Gate)
        {
            ModbusPdu.WriteRegisters(response[2..], model.HoldingRegisters.Unlocked(readAddress, readCount));
        }

        return 2 + (readCount * 2);
    }

    private static int EncapsulatedInterface(ModbusDataModel model, ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (request.Length != 4 || request[1] != ModbusPdu.MeiReadDeviceIdentification)
        {
            throw Illegal(request[0], request.Length >= 2 && request[1] != ModbusPdu.MeiReadDeviceIdentification
                ? ModbusExceptionCode.IllegalFunction
                : ModbusExceptionCode.IllegalDataValue);
        }

        var category = request[2];
        var objectId = request[3];
        if (category is < 1 or > 4)
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }

        var objects = model.DeviceIdentification;
        var conformity = (byte)(objects.Keys.Any(k => k >= 0x80) ? 0x83 : objects.Keys.Any(k => k >= 0x03) ? 0x82 : 0x81);
        response[0] = 0x2B;
        response[1] = ModbusPdu.MeiReadDeviceIdentification;
        response[2] = category;
        response[3] = conformity;
        response[4] = 0x00;
        response[5] = 0x00;
        var offset = 7;
        var count = 0;
        if (category == 4)
        {
            if (!objects.TryGetValue(objectId, out var value))
            {
                throw Illegal(request[0], ModbusExceptionCode.IllegalDataAddress);
            }

            offset = WriteObject(response, offset, objectId, value);
            count = 1;
        }
        else
        {
            var last = category switch { 1 => 0x02, 2 => 0x7F, _ => 0xFF };
            var first = objectId > last ? 0 : objectId;
            foreach (var entry in objects.Where(o => o.Key >= first && o.Key <= last).OrderBy(o => o.Key))
            {
                var size = 2 + Math.Min(Encoding.ASCII.GetByteCount(entry.Value), 245);
                if (offset + size > ModbusPdu.MaxLength)
                {
                    response[4] = 0xFF;
                    response[5] = entry.Key;
                    break;
                }

                offset = WriteObject(response, offset, entry.Key, entry.Value);
                count++;
            }
        }

        response[6] = (byte)count;
        return offset;
    }

    private static int WriteObject(Span<byte> response, int offset, byte id, string value)
    {
        var length = Math.Min(Encoding.ASCII.GetByteCount(value), 245);
        response[offset] = id;
        response[offset + 1] = (byte)length;
        Encoding.ASCII.GetBytes(value.AsSpan(0, Math.Min(value.Length, length)), response.Slice(offset + 2, length));
        return offset + 2 + length;
    }

    private static void StoreRegisters(ModbusDataModel model, ushort address, ReadOnlySpan<byte> data)
    {
        lock (model.Gate)
        {
            var target = model.HoldingRegisters.Unlocked(address, data.Length / 2);
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(i * 2)..]);
            }
        }
    }

    private static (ushort Address, ushort Quantity) AddressAndQuantity(ReadOnlySpan<byte> request, int minLength, int maxQuantity)
    {
        if (request.Length < minLength || (minLength == 5 && request.Length != 5))
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        if (quantity < 1 || quantity > maxQuantity)
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }

        return (address, quantity);
    }

    private static void CheckLength(ReadOnlySpan<byte> request, int length)
    {
        if (request.Length != length)
        {
            throw Illegal(request[0], ModbusExceptionCode.IllegalDataValue);
        }
    }

    private static void CheckTableRange(ushort address, int quantity, int tableSize)
    {
        if (address + quantity > tableSize)
        {
            throw new ModbusExceptionResponseException(0, ModbusExceptionCode.IllegalDataAddress);
        }
    }

    private static ModbusExceptionResponseException Illegal(byte function, ModbusExceptionCode code) =>
        new((ModbusFunctionCode)function, code);
}
