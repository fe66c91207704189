using System.Buffers;
using System.Text;

using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Tests.Framing;

// ASCII framing, Modbus over Serial Line v1.02 §2.5.2, LRC §6.2.1. Vector: the ASCII framing example of the
// Modicon Modbus Protocol Reference Guide PI-MBUS-300 rev. J: unit 0x11 reads holding registers 108-110,
// LRC 0x7E (the two's complement of 0x11+0x03+0x00+0x6B+0x00+0x03 = 0x82).
public sealed class AsciiFrameTests
{
    private const string Request = ":1103006B00037E\r\n";

    // Its answer (registers 555, 0, 100, as in the guide's RTU example of the same exchange), LRC 0x55: the two's
    // complement of 0x11+0x03+0x06+0x02+0x2B+0x00+0x00+0x00+0x64 = 0xAB.
    private const string Response = ":110306022B0000006455\r\n";

    [Theory]
    [InlineData(Request, "03006B0003")]
    [InlineData(Response, "0306022B00000064")]
    public void Write_SpecPdu_ProducesGoldenFrame(string frame, string pdu)
    {
        var destination = new byte[513];
        var length = AsciiFrame.Write(destination, 0x11, Hex.Bytes(pdu));
        Assert.Equal(frame, Encoding.ASCII.GetString(destination, 0, length));
    }

    [Theory]
    [InlineData(Request, "03006B0003")]
    [InlineData(Response, "0306022B00000064")]
    public void TryRead_WholeFrame_ReturnsAddressAndPdu(string frame, string pdu)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(frame));
        var destination = new byte[256];
        Assert.True(AsciiFrame.TryRead(ref buffer, destination, out var address, out var length));
        Assert.Equal(0x11, address);
        Assert.Equal(pdu, Hex.Of(destination.AsSpan(0, length)));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(Request, "03006B0003")]
    [InlineData(Response, "0306022B00000064")]
    public void TryRead_OneByteAtATime_IncompleteUntilLineFeed(string frame, string pdu)
    {
        var bytes = Encoding.ASCII.GetBytes(frame);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = Hex.OneBytePerSegment(bytes.AsSpan(0, length));
            Assert.False(AsciiFrame.TryRead(ref prefix, new byte[256], out _, out _));
        }

        var whole = Hex.OneBytePerSegment(bytes);
        var destination = new byte[256];
        Assert.True(AsciiFrame.TryRead(ref whole, destination, out _, out var pduLength));
        Assert.Equal(pdu, Hex.Of(destination.AsSpan(0, pduLength)));
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void TryRead_GarbageBeforeColon_SkipsToFrame()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("\0zz\r\n12" + Request + ":11"));
        var pdu = new byte[256];
        Assert.True(AsciiFrame.TryRead(ref buffer, pdu, out var address, out _));
        Assert.Equal(0x11, address);
        Assert.Equal(":11", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData(":1103006B00037F\r\n", "LRC")]
    [InlineData(":1103006B0G037E\r\n", "not a hex digit")]
    [InlineData(":1103006B00037\r\n", "odd number")]
    [InlineData(":1103006B00037E\n", "CR LF")]
    public void TryRead_CorruptedFrame_ThrowsProtocolExceptionAndConsumesIt(string frame, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(frame + Request));
        var remaining = buffer;
        var error = Assert.Throws<ModbusProtocolException>(() =>
        {
            var b = buffer;
            try
            {
                AsciiFrame.TryRead(ref b, new byte[256], out _, out _);
            }
            finally
            {
                remaining = b;
            }
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(Request, Encoding.ASCII.GetString(remaining.ToArray()));
    }

    [Fact]
    public void TryRead_NoLineFeedWithin513Characters_ThrowsOversized()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(":" + new string('0', 520)));
        var error = Assert.Throws<ModbusProtocolException>(() => AsciiFrame.TryRead(ref buffer, new byte[256], out _, out _));
        Assert.Contains("513", error.Message, StringComparison.Ordinal);
    }
}
