using System.Buffers;
using System.Buffers.Binary;

using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Framing;

// RTU framing, Modbus over Serial Line v1.02, §2.5.1:
//
//   unit id (1) | function (1) | data (0..252) | CRC-16 (2, low byte first)        at most 256 bytes
//
// The unit id is a device's address on the bus: 1-247, 0 broadcasts to all (§2.2). Modbus over Serial Line calls it
// the slave address and the TCP guide the unit identifier; this library says unit id throughout.
//
// On a line, frames are separated by 3.5 character times of silence. Silence does not survive ptys,
// USB adapters or TCP tunnels, so frames are delimited here by the length each function implies
// (Application Protocol v1.1b3, §6), and the CRC confirms the boundary. After an error the caller
// resynchronises by discarding what it has buffered.
internal static class RtuFrame
{
    public const int MaxLength = 256;

    /// <summary>Writes unit id, PDU and CRC; returns the frame length.</summary>
    public static int Write(Span<byte> destination, byte unitId, ReadOnlySpan<byte> pdu)
    {
        destination[0] = unitId;
        pdu.CopyTo(destination[1..]);
        return Seal(destination, 1 + pdu.Length);
    }

    /// <summary>Appends the CRC over the first <paramref name="length"/> bytes (unit id and PDU already in place).</summary>
    public static int Seal(Span<byte> frame, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(frame[length..], Crc16.Compute(frame[..length]));
        return length + 2;
    }

    /// <summary>
    /// Reads one response frame (a server's answer). Returns false while incomplete. Throws
    /// <see cref="ModbusProtocolException"/> for a bad CRC, an unknown function or an oversized frame.
    /// The PDU (without unit id and CRC) is copied to <paramref name="pdu"/>.
    /// </summary>
    public static bool TryReadResponse(ref ReadOnlySequence<byte> buffer, Span<byte> pdu, out byte unitId, out int pduLength) =>
        TryRead(ref buffer, pdu, isRequest: false, out unitId, out pduLength);

    /// <summary>Reads one request frame (a client's request), with the same contract as <see cref="TryReadResponse"/>.</summary>
    public static bool TryReadRequest(ref ReadOnlySequence<byte> buffer, Span<byte> pdu, out byte unitId, out int pduLength) =>
        TryRead(ref buffer, pdu, isRequest: true, out unitId, out pduLength);

    private static bool TryRead(ref ReadOnlySequence<byte> buffer, Span<byte> pdu, bool isRequest, out byte unitId, out int pduLength)
    {
        unitId = 0;
        pduLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[MaxLength];
        var available = (int)Math.Min(buffer.Length, MaxLength);
        buffer.Slice(0, available).CopyTo(head);
        var length = isRequest ? RequestPduLength(head[1..available]) : ResponsePduLength(head[1..available]);
        if (length < 0)
        {
            return false;
        }

        var frameLength = 1 + length + 2;
        if (frameLength > MaxLength)
        {
            throw new ModbusProtocolException($"RTU frame of {frameLength} bytes exceeds {MaxLength}.");
        }

        if (available < frameLength)
        {
            return false;
        }

        var expected = Crc16.Compute(head[..(1 + length)]);
        var actual = BinaryPrimitives.ReadUInt16LittleEndian(head[(1 + length)..]);
        if (expected != actual)
        {
            throw new ModbusProtocolException($"RTU CRC 0x{actual:X4} does not match computed 0x{expected:X4}.") { IsChecksumMismatch = true };
        }

        unitId = head[0];
        head.Slice(1, length).CopyTo(pdu);
        pduLength = length;
        buffer = buffer.Slice(frameLength);
        return true;
    }

    /// <summary>PDU length of a response from its first bytes, or -1 when more bytes are needed.</summary>
    internal static int ResponsePduLength(ReadOnlySpan<byte> pdu)
    {
        if (pdu.IsEmpty)
        {
            return -1;
        }

        var function = pdu[0];
        if ((function & ModbusPdu.ExceptionFlag) != 0)
        {
            return 2;
        }

        switch (function)
        {
            case 0x01 or 0x02 or 0x03 or 0x04 or 0x17:
                return pdu.Length < 2 ? -1 : 2 + pdu[1];
            case 0x05 or 0x06 or 0x0F or 0x10:
                return 5;
            case 0x16:
                return 7;
            case 0x2B:
                return DeviceIdentificationLength(pdu);
            default:
                throw new ModbusProtocolException($"Cannot frame an RTU response with unknown function 0x{function:X2}.");
        }
    }

    /// <summary>PDU length of a request from its first bytes, or -1 when more bytes are needed.</summary>
    internal static int RequestPduLength(ReadOnlySpan<byte> pdu)
    {
        if (pdu.IsEmpty)
        {
            return -1;
        }

        return pdu[0] switch
        {
            0x01 or 0x02 or 0x03 or 0x04 or 0x05 or 0x06 => 5,
            0x0F or 0x10 => pdu.Length < 6 ? -1 : 6 + pdu[5],
            0x16 => 7,
            0x17 => pdu.Length < 10 ? -1 : 10 + pdu[9],
            0x2B => 4,
            _ => throw new ModbusProtocolException($"Cannot frame an RTU request with unknown function 0x{pdu[0]:X2}."),
        };
    }

    // 2B/0E response: 7 header bytes, then per object id, length, value (Application Protocol v1.1b3, §6.21).
    private static int DeviceIdentificationLength(ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 7)
        {
            return -1;
        }

        var offset = 7;
        for (var i = 0; i < pdu[6]; i++)
        {
            if (offset + 2 > pdu.Length)
            {
                return offset + 2 > ModbusPdu.MaxLength ? throw new ModbusProtocolException("Device identification response exceeds 253 bytes.") : -1;
            }

            offset += 2 + pdu[offset + 1];
        }

        return offset;
    }
}
