using System.Buffers;

using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Tests.Framing;

// MBAP framing, Messaging on TCP/IP Implementation Guide v1.0b, §3.1.3. The vectors wrap the PDU examples of the
// Application Protocol v1.1b3 §6.3 in the MBAP header; the same bytes were exchanged with libmodbus in the interop tests.
public sealed class MbapFrameTests
{
    // Transaction 0x0001, protocol 0, length 6, unit 0x11, read holding registers 107..109.
    private const string Request = "0001 0000 0006 11 03 006B 0003";

    // Its response: length 9, unit 0x11, 555, 0, 100.
    private const string Response = "0001 0000 0009 11 03 06 022B 0000 0064";

    [Theory]
    [InlineData(Request, 0x0001, 0x11, "03006B0003")]
    [InlineData(Response, 0x0001, 0x11, "0306022B00000064")]
    public void TryRead_WholeFrame_ReturnsHeaderAndPdu(string frame, int transactionId, int unitId, string pdu)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(frame));
        Assert.True(MbapFrame.TryRead(ref buffer, out var tid, out var unit, out var body));
        Assert.Equal(transactionId, tid);
        Assert.Equal(unitId, unit);
        Assert.Equal(pdu, Hex.Of(body.ToArray()));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(Request)]
    [InlineData(Response)]
    public void TryRead_OneByteAtATime_IncompleteUntilLastByte(string frame)
    {
        var bytes = Hex.Bytes(frame);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = Hex.OneBytePerSegment(bytes.AsSpan(0, length));
            var before = prefix;
            Assert.False(MbapFrame.TryRead(ref prefix, out _, out _, out _));
            Assert.Equal(before.Length, prefix.Length);
        }

        var whole = Hex.OneBytePerSegment(bytes);
        Assert.True(MbapFrame.TryRead(ref whole, out _, out _, out var pdu));
        Assert.Equal(bytes[7..], pdu.ToArray());
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void TryRead_TwoFrames_StopsAtFrameEnd()
    {
        // Two pipelined responses back to back: the first read never reaches into the second.
        byte[] bytes = [.. Hex.Bytes(Response), .. Hex.Bytes("0002 0000 0005 11 03 02 0007")];
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MbapFrame.TryRead(ref buffer, out var first, out _, out var pdu));
        Assert.Equal(1, first);
        Assert.Equal(8, pdu.Length);
        Assert.Equal(11, buffer.Length);
        Assert.True(MbapFrame.TryRead(ref buffer, out var second, out _, out pdu));
        Assert.Equal(2, second);
        Assert.Equal("03020007", Hex.Of(pdu.ToArray()));
    }

    [Theory]
    [InlineData("0001 0001 0006 11 03 006B 0003", "protocol id 1")] // not Modbus
    [InlineData("0001 0000 00FF 11", "length 255")] // ADU would be 261 bytes: oversized
    [InlineData("0001 0000 0001 11", "length 1")] // no function code
    [InlineData("0001 0000 0000", "length 0")]
    public void TryRead_BadHeader_ThrowsProtocolExceptionBeforeBody(string header, string expected)
    {
        // Only the 7 header bytes are present: the error is found without waiting for (or reading) a body.
        byte[] bytes = [.. Hex.Bytes(header), .. new byte[Math.Max(0, 7 - (header.Replace(" ", "", StringComparison.Ordinal).Length / 2))]];
        var error = Assert.Throws<ModbusProtocolException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            MbapFrame.TryRead(ref buffer, out _, out _, out _);
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SpecPdu_ProducesGoldenFrame()
    {
        var writer = new ArrayBufferWriter<byte>();
        MbapFrame.Write(writer, 0x0001, 0x11, Hex.Bytes("03 006B 0003"));
        Assert.Equal(Hex.Bytes(Request), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void TryRead_MaximalFrame_Accepted()
    {
        // 260 bytes: length 254 = unit + 253-byte PDU, the largest legal ADU.
        var bytes = new byte[260];
        bytes[5] = 254;
        bytes[7] = 0x03;
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MbapFrame.TryRead(ref buffer, out _, out _, out var pdu));
        Assert.Equal(253, pdu.Length);
    }
}
