using System.Buffers;

namespace DomioOps.Devices.Modbus.Framing;

// ASCII framing, Modbus over Serial Line v1.02, §2.5.2:
//
//   ':' | unit id (2 hex) | function (2 hex) | data (0..2×252 hex) | LRC (2 hex) | CR LF     at most 513 characters
//
// Every byte is sent as two upper-case hex digits. LRC (§6.2.1) is the two's complement of the 8-bit sum of
// unit id and PDU. A frame starts at ':', so bytes before it are garbage and skipped (resynchronisation).
internal static class AsciiFrame
{
    public const int MaxLength = 513;

    public static int Write(Span<byte> destination, byte unitId, ReadOnlySpan<byte> pdu)
    {
        destination[0] = (byte)':';
        var sum = unitId;
        var offset = WriteHex(destination, 1, unitId);
        foreach (var b in pdu)
        {
            sum += b;
            offset = WriteHex(destination, offset, b);
        }

        offset = WriteHex(destination, offset, (byte)-sum);
        destination[offset] = (byte)'\r';
        destination[offset + 1] = (byte)'\n';
        return offset + 2;
    }

    /// <summary>
    /// Reads one frame (request or response). Returns false while incomplete. Bytes before ':' are dropped.
    /// Throws <see cref="ModbusProtocolException"/> for a bad LRC, a non-hex character, an odd digit count
    /// or a frame over 513 characters; the bad frame is consumed so the next read starts after it.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, Span<byte> pdu, out byte unitId, out int pduLength)
    {
        unitId = 0;
        pduLength = 0;
        var start = buffer.PositionOf((byte)':');
        if (start is null)
        {
            buffer = buffer.Slice(buffer.End);
            return false;
        }

        buffer = buffer.Slice(start.Value);
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            if (buffer.Length > MaxLength)
            {
                buffer = buffer.Slice(1);
                throw new ModbusProtocolException($"ASCII frame longer than {MaxLength} characters.");
            }

            return false;
        }

        var frame = buffer.Slice(0, buffer.GetPosition(1, end.Value));
        buffer = buffer.Slice(frame.End);
        if (frame.Length > MaxLength)
        {
            throw new ModbusProtocolException($"ASCII frame of {frame.Length} characters exceeds {MaxLength}.");
        }

        Span<byte> chars = stackalloc byte[MaxLength];
        frame.CopyTo(chars);
        var length = (int)frame.Length;
        if (length < 9 || chars[length - 2] != '\r')
        {
            throw new ModbusProtocolException("ASCII frame too short or not ended by CR LF.");
        }

        var digits = length - 3;
        if (digits % 2 != 0)
        {
            throw new ModbusProtocolException("ASCII frame has an odd number of hex digits.");
        }

        var bytes = digits / 2;
        Span<byte> decoded = stackalloc byte[bytes];
        for (var i = 0; i < bytes; i++)
        {
            decoded[i] = (byte)((Nibble(chars[1 + (i * 2)]) << 4) | Nibble(chars[2 + (i * 2)]));
        }

        byte sum = 0;
        foreach (var b in decoded)
        {
            sum += b;
        }

        if (sum != 0)
        {
            throw new ModbusProtocolException($"ASCII LRC 0x{decoded[^1]:X2} does not match computed 0x{(byte)(decoded[^1] - sum):X2}.") { IsChecksumMismatch = true };
        }

        unitId = decoded[0];
        pduLength = bytes - 2;
        decoded.Slice(1, pduLength).CopyTo(pdu);
        return true;
    }

    private static int WriteHex(Span<byte> destination, int offset, byte value)
    {
        destination[offset] = Digit(value >> 4);
        destination[offset + 1] = Digit(value & 0xF);
        return offset + 2;
    }

    private static byte Digit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => throw new ModbusProtocolException($"Character 0x{c:X2} in an ASCII frame is not a hex digit."),
    };
}
