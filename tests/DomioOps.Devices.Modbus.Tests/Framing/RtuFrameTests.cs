using System.Buffers;

using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Tests.Framing;

// RTU framing, Modbus over Serial Line v1.02 §2.5.1 and CRC §6.2.2. Vectors:
//  - "11 03 006B 0003 7687" and its answer "... C8BA": the RTU framing example of the Modicon Modbus Protocol
//    Reference Guide PI-MBUS-300 rev. J (unit 17, read holding registers 108-110);
//  - "01 2B 0E 01 00 7077" and its answer: a capture printed in the manual of a KBR multicomp F144 energy meter.
public sealed class RtuFrameTests
{
    public static TheoryData<string, bool, int, string> Vectors => new()
    {
        { "11 03 006B 0003 7687", true, 0x11, "03006B0003" },
        { "11 03 06 022B 0000 0064 C8BA", false, 0x11, "0306022B00000064" },
        { "01 2B 0E 01 00 7077", true, 0x01, "2B0E0100" },
        {
            "01 2B 0E 01 01 00 00 03 00 08 4B42522047 6D6248 01 12 6D756C7469636F6D7020463134342D332020 02 09 20322E303072303136 CDDB",
            false, 0x01, "2B0E010100000300084B425220476D624801126D756C7469636F6D7020463134342D332020020920322E303072303136"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TryRead_WholeFrame_ReturnsAddressAndPdu(string frame, bool isRequest, int address, string pdu)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(frame));
        var destination = new byte[256];
        Assert.True(Read(ref buffer, destination, isRequest, out var unit, out var length));
        Assert.Equal(address, unit);
        Assert.Equal(pdu, Hex.Of(destination.AsSpan(0, length)));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Write_Pdu_ProducesGoldenFrame(string frame, bool isRequest, int address, string pdu)
    {
        _ = isRequest;
        var destination = new byte[256];
        var length = RtuFrame.Write(destination, (byte)address, Convert.FromHexString(pdu));
        Assert.Equal(Hex.Bytes(frame), destination[..length]);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TryRead_OneByteAtATime_IncompleteUntilLastByte(string frame, bool isRequest, int address, string pdu)
    {
        var bytes = Hex.Bytes(frame);
        var destination = new byte[256];
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = Hex.OneBytePerSegment(bytes.AsSpan(0, length));
            Assert.False(Read(ref prefix, destination, isRequest, out _, out _));
            Assert.Equal(length, prefix.Length);
        }

        var whole = Hex.OneBytePerSegment(bytes);
        Assert.True(Read(ref whole, destination, isRequest, out var unit, out var pduLength));
        Assert.Equal(address, unit);
        Assert.Equal(pdu, Hex.Of(destination.AsSpan(0, pduLength)));
    }

    [Fact]
    public void TryReadResponse_FollowedByNextFrame_StopsAtCrc()
    {
        byte[] bytes = [.. Hex.Bytes("11 03 06 022B 0000 0064 C8BA"), .. Hex.Bytes("11 03 006B")];
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(RtuFrame.TryReadResponse(ref buffer, new byte[256], out _, out var length));
        Assert.Equal(8, length);
        Assert.Equal("1103006B", Hex.Of(buffer.ToArray()));
    }

    [Fact]
    public void TryReadResponse_CorruptedCrc_ThrowsProtocolException()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("11 03 06 022B 0000 0065 C8BA"));
        var error = Assert.Throws<ModbusProtocolException>(() => RtuFrame.TryReadResponse(ref buffer, new byte[256], out _, out _));
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadResponse_UnknownFunction_ThrowsProtocolException()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("11 41 00"));
        Assert.Throws<ModbusProtocolException>(() => RtuFrame.TryReadResponse(ref buffer, new byte[256], out _, out _));
    }

    [Fact]
    public void TryReadResponse_ByteCountBeyond256_ThrowsOversizedBeforeBody()
    {
        // byte count 0xFF would make a 260-byte frame: rejected from the 3 header bytes alone.
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("11 03 FF"));
        var error = Assert.Throws<ModbusProtocolException>(() => RtuFrame.TryReadResponse(ref buffer, new byte[256], out _, out _));
        Assert.Contains("exceeds 256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadResponse_ExceptionResponse_FramedInFiveBytes()
    {
        var frame = new byte[5];
        RtuFrame.Write(frame, 0x0A, Hex.Bytes("81 02"));
        var buffer = new ReadOnlySequence<byte>(frame);
        var pdu = new byte[256];
        Assert.True(RtuFrame.TryReadResponse(ref buffer, pdu, out var address, out var length));
        Assert.Equal(0x0A, address);
        Assert.Equal("8102", Hex.Of(pdu.AsSpan(0, length)));
    }

    [Fact]
    public void Crc16_SerialLineGuideExample_Is1241()
    {
        // Modbus over Serial Line v1.02, §6.2.2: the CRC of "02 07" is 0x1241, sent as 41 12.
        Assert.Equal(0x1241, Crc16.Compute(Hex.Bytes("02 07")));
    }

    private static bool Read(ref ReadOnlySequence<byte> buffer, Span<byte> pdu, bool isRequest, out byte address, out int length) =>
        isRequest ? RtuFrame.TryReadRequest(ref buffer, pdu, out address, out length) : RtuFrame.TryReadResponse(ref buffer, pdu, out address, out length);
}
