using System.Buffers.Binary;

namespace DomioOps.Devices.Modbus.Pdu;

// Bit functions, Modbus Application Protocol v1.1b3:
//
//   01/02 read (§6.1, §6.2)   req: fc | start (2) | quantity (2, 1..2000)
//                             rsp: fc | byte count (1) = ceil(N/8) | bits, LSB of the first byte first
//   05 write single (§6.5)    req = rsp: fc | address (2) | 0xFF00 (on) or 0x0000 (off)
//   0F write multiple (§6.11) req: fc | start (2) | quantity (2, 1..1968) | byte count = ceil(N/8) | bits
//                             rsp: fc | start (2) | quantity (2)
internal static partial class ModbusPdu
{
    public const ushort CoilOn = 0xFF00;

    public static void ReadBitsResponse(ReadOnlySpan<byte> response, ModbusFunctionCode function, Span<bool> destination)
    {
        ThrowIfNotResponseTo(response, function);
        if (response.Length < 2)
        {
            throw new ModbusProtocolException("Bit response without byte count.");
        }

        int byteCount = response[1];
        var expected = (destination.Length + 7) / 8;
        if (byteCount != expected)
        {
            throw new ModbusProtocolException($"Bit response byte count {byteCount}; expected {expected}.");
        }

        if (response.Length != 2 + byteCount)
        {
            throw new ModbusProtocolException($"Bit response of {response.Length} bytes; byte count says {2 + byteCount}.");
        }

        UnpackBits(response.Slice(2, byteCount), destination);
    }

    public static int WriteMultipleCoilsRequest(Span<byte> destination, ushort start, ReadOnlySpan<bool> values)
    {
        destination[0] = (byte)ModbusFunctionCode.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], start);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        var byteCount = (values.Length + 7) / 8;
        destination[5] = (byte)byteCount;
        PackBits(values, destination.Slice(6, byteCount));
        return 6 + byteCount;
    }

    public static void PackBits(ReadOnlySpan<bool> bits, Span<byte> destination)
    {
        destination[..((bits.Length + 7) / 8)].Clear();
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                destination[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    public static void UnpackBits(ReadOnlySpan<byte> packed, Span<bool> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (packed[i >> 3] & (1 << (i & 7))) != 0;
        }
    }
}
