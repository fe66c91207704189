using System.Buffers;
using System.Buffers.Binary;

using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Framing;

// Modbus TCP application data unit, Modbus Messaging on TCP/IP Implementation Guide v1.0b, §3.1.3:
//
//   MBAP header (7 bytes)                                          | PDU
//   transaction id (2) | protocol id (2) = 0 | length (2) | unit id (1) | function code | data
//
// length counts the unit id and the PDU: 2..254, so an ADU is at most 260 bytes. All fields big-endian.
internal static class MbapFrame
{
    public const int HeaderLength = 7;
    public const int MaxAduLength = HeaderLength + ModbusPdu.MaxLength;

    /// <summary>
    /// Reads one ADU from the front of <paramref name="buffer"/>. Returns false when it is incomplete
    /// (nothing consumed); throws <see cref="ModbusProtocolException"/> for a bad protocol id or length.
    /// On success <paramref name="buffer"/> is advanced past the frame and nothing beyond it is touched.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ushort transactionId, out byte unitId, out ReadOnlySequence<byte> pdu)
    {
        transactionId = 0;
        unitId = 0;
        pdu = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = CheckHeader(header);
        if (buffer.Length < 6 + length)
        {
            return false;
        }

        transactionId = BinaryPrimitives.ReadUInt16BigEndian(header);
        unitId = header[6];
        pdu = buffer.Slice(HeaderLength, length - 1);
        buffer = buffer.Slice(6 + length);
        return true;
    }

    /// <summary>
    /// Reads one ADU from the front of a contiguous <paramref name="buffer"/>, with the contract of the sequence
    /// overload: false when incomplete, <see cref="ModbusProtocolException"/> for a bad header, nothing past the frame read.
    /// The PDU is <c>buffer[HeaderLength..(HeaderLength + pduLength)]</c>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out int frameLength, out ushort transactionId, out byte unitId, out int pduLength)
    {
        frameLength = 0;
        transactionId = 0;
        unitId = 0;
        pduLength = 0;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        var length = CheckHeader(buffer);
        if (buffer.Length < 6 + length)
        {
            return false;
        }

        frameLength = 6 + length;
        transactionId = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        unitId = buffer[6];
        pduLength = length - 1;
        return true;
    }

    /// <summary>Checks protocol id and length of a 7-byte header; returns the length field.</summary>
    private static int CheckHeader(ReadOnlySpan<byte> header)
    {
        var protocolId = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        if (protocolId != 0)
        {
            throw new ModbusProtocolException($"MBAP protocol id {protocolId}; Modbus is 0.");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        if (length < 2 || length > ModbusPdu.MaxLength + 1)
        {
            throw new ModbusProtocolException($"MBAP length {length} outside 2..{ModbusPdu.MaxLength + 1}.");
        }

        return length;
    }

    /// <summary>Writes the MBAP header in front of a PDU already placed at <c>destination[7..]</c>; returns the ADU length.</summary>
    public static int WriteHeader(Span<byte> destination, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pduLength + 1));
        destination[6] = unitId;
        return HeaderLength + pduLength;
    }

    /// <summary>Writes a whole ADU into <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        var span = writer.GetSpan(HeaderLength + pdu.Length);
        WriteHeader(span, transactionId, unitId, pdu.Length);
        pdu.CopyTo(span[HeaderLength..]);
        writer.Advance(HeaderLength + pdu.Length);
    }
}
