using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DomioOps.Devices.Modbus.Pdu;

// Register functions, Modbus Application Protocol v1.1b3:
//
//   03/04 read  (§6.3, §6.4)  req: fc | start (2) | quantity (2, 1..125)
//                             rsp: fc | byte count (1) = 2N | N registers (2 each, big-endian)
//   06 write single (§6.6)    req = rsp: fc | address (2) | value (2)
//   10 write multiple (§6.12) req: fc | start (2) | quantity (2, 1..123) | byte count (1) = 2N | values
//                             rsp: fc | start (2) | quantity (2)
//   16 mask write (§6.16)     req = rsp: fc | address (2) | AND mask (2) | OR mask (2)
//   17 read/write (§6.17)     req: fc | read start | read qty (1..125) | write start | write qty (1..121)
//                                  | byte count = 2W | W values
//                             rsp: fc | byte count = 2R | R registers
internal static partial class ModbusPdu
{
    /// <summary>Decodes a read-registers response (03, 04, 17) into <paramref name="destination"/>, whose length is the quantity asked.</summary>
    public static void ReadRegistersResponse(ReadOnlySpan<byte> response, ModbusFunctionCode function, Span<ushort> destination)
    {
        ThrowIfNotResponseTo(response, function);
        if (response.Length < 2)
        {
            throw new ModbusProtocolException("Register response without byte count.");
        }

        int byteCount = response[1];
        if (byteCount != destination.Length * 2)
        {
            throw new ModbusProtocolException($"Register response byte count {byteCount}; expected {destination.Length * 2}.");
        }

        if (response.Length != 2 + byteCount)
        {
            throw new ModbusProtocolException($"Register response of {response.Length} bytes; byte count says {2 + byteCount}.");
        }

        ReadBigEndian(response.Slice(2, byteCount), destination);
    }

    public static int WriteMultipleRegistersRequest(Span<byte> destination, ushort start, ReadOnlySpan<ushort> values)
    {
        destination[0] = (byte)ModbusFunctionCode.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], start);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        destination[5] = (byte)(values.Length * 2);
        WriteRegisters(destination[6..], values);
        return 6 + (values.Length * 2);
    }

    public static int MaskWriteRegisterRequest(Span<byte> destination, ushort address, ushort andMask, ushort orMask)
    {
        destination[0] = (byte)ModbusFunctionCode.MaskWriteRegister;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], andMask);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], orMask);
        return 7;
    }

    public static void CheckMaskWriteResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> request)
    {
        ThrowIfNotResponseTo(response, ModbusFunctionCode.MaskWriteRegister);
        if (!response.SequenceEqual(request))
        {
            throw new ModbusProtocolException("Mask write response does not echo the request.");
        }
    }

    public static int ReadWriteMultipleRegistersRequest(
        Span<byte> destination, ushort readStart, ushort readCount, ushort writeStart, ReadOnlySpan<ushort> values)
    {
        destination[0] = (byte)ModbusFunctionCode.ReadWriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], readStart);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], readCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], writeStart);
        BinaryPrimitives.WriteUInt16BigEndian(destination[7..], (ushort)values.Length);
        destination[9] = (byte)(values.Length * 2);
        WriteRegisters(destination[10..], values);
        return 10 + (values.Length * 2);
    }

    public static void WriteRegisters(Span<byte> destination, ReadOnlySpan<ushort> values)
    {
        var target = MemoryMarshal.Cast<byte, ushort>(destination[..(values.Length * 2)]);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, target);
        }
        else
        {
            values.CopyTo(target);
        }
    }

    /// <summary>Big-endian register bytes to values; vectorised byte swap on little-endian machines.</summary>
    public static void ReadBigEndian(ReadOnlySpan<byte> data, Span<ushort> destination)
    {
        var source = MemoryMarshal.Cast<byte, ushort>(data[..(destination.Length * 2)]);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(source, destination);
        }
        else
        {
            source.CopyTo(destination);
        }
    }
}
