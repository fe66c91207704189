using System.Buffers;

using DomioOps.Devices.OpcUa.Tests.Encoding;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Tests.Transport;

public sealed class UaTcpFrameReaderTests
{
    // OPC 10000-6 §7.1.2.3 Hello, hand-encoded: "HELF", size 43, version 0, buffers 65535, max message 0, max chunks 0, "opc.tcp://a".
    private static readonly byte[] Hello = Codec.Hex(
        "48 45 4C 46 2B 00 00 00 00 00 00 00 FF FF 00 00 FF FF 00 00 00 00 00 00 00 00 00 00 0B 00 00 00 6F 70 63 2E 74 63 70 3A 2F 2F 61");

    [Fact]
    public void Hello_HandEncodedVector_MatchesBothWays()
    {
        HelloMessage hello = new(0, 65535, 65535, 0, 0, "opc.tcp://a");
        var built = UaTcpMessageWriter.Build(MessageTypes.Hello, hello.Encode);
        Assert.Equal(Hello.Length, built.Length);
        Assert.Equal(Hello, built);
        Assert.Equal(hello, HelloMessage.Decode(Hello.AsSpan(UaTcpHeader.Size)));
    }

    [Fact]
    public void Acknowledge_AndError_RoundTrip()
    {
        AcknowledgeMessage ack = new(0, 8192, 16384, 1 << 20, 16);
        var bytes = UaTcpMessageWriter.Build(MessageTypes.Acknowledge, ack.Encode);
        Assert.Equal(Codec.Hex("41 43 4B 46 1C 00 00 00 00 00 00 00 00 20 00 00 00 40 00 00 00 00 10 00 10 00 00 00"), bytes);
        Assert.Equal(ack, AcknowledgeMessage.Decode(bytes.AsSpan(UaTcpHeader.Size)));
        ErrorMessage error = new(StatusCode.BadTcpMessageTooLarge, "big");
        var err = UaTcpMessageWriter.Build(MessageTypes.Error, error.Encode);
        Assert.Equal(Codec.Hex("45 52 52 46 13 00 00 00 00 00 80 80 03 00 00 00 62 69 67"), err);
        Assert.Equal(error, ErrorMessage.Decode(err.AsSpan(UaTcpHeader.Size)));
        ReverseHelloMessage reverse = new("urn:s", "opc.tcp://s");
        Assert.Equal(reverse, ReverseHelloMessage.Decode(UaTcpMessageWriter.Build(MessageTypes.ReverseHello, reverse.Encode).AsSpan(UaTcpHeader.Size)));
    }

    [Fact]
    public void TryReadFrame_OneByteAtATime_IncompleteUntilLastByteThenExact()
    {
        byte[] stream = [.. Hello, .. Hello[..3]];
        for (var length = 0; length < Hello.Length; length++)
        {
            ReadOnlySequence<byte> partial = new(stream.AsMemory(0, length));
            Assert.False(UaTcpFrameReader.TryReadFrame(ref partial, 65535, out _, out _));
            Assert.Equal(length, partial.Length);
        }

        ReadOnlySequence<byte> whole = new(stream);
        Assert.True(UaTcpFrameReader.TryReadFrame(ref whole, 65535, out var header, out var frame));
        Assert.Equal(MessageTypes.Hello, header.MessageType);
        Assert.Equal((uint)Hello.Length, header.MessageSize);
        Assert.Equal(Hello, frame.ToArray());
        Assert.Equal(3, whole.Length);
    }

    [Theory]
    [InlineData("58 59 5A 46 08 00 00 00", 0x807E0000u)] // unknown type "XYZ"
    [InlineData("48 45 4C 43 08 00 00 00", 0x807E0000u)] // Hello as an intermediate chunk
    [InlineData("4D 53 47 46 04 00 00 00", 0x80070000u)] // size below the header
    [InlineData("4D 53 47 46 00 00 00 40", 0x80800000u)] // a 1 GiB lie
    public void TryReadFrame_BadHeader_ThrowsTypedStatus(string hex, uint status)
    {
        ReadOnlySequence<byte> buffer = new(Codec.Hex(hex));
        var ex = Assert.Throws<OpcUaProtocolException>(() => UaTcpFrameReader.TryReadFrame(ref buffer, 65535, out _, out _));
        Assert.Equal(new StatusCode(status), ex.StatusCode);
    }

    [Fact]
    public void Hello_EndpointUrlOver4096Bytes_ThrowsEndpointUrlInvalid()
    {
        HelloMessage hello = new(0, 65535, 65535, 0, 0, new string('a', 5000));
        var bytes = UaTcpMessageWriter.Build(MessageTypes.Hello, hello.Encode);
        var ex = Assert.Throws<OpcUaProtocolException>(() => HelloMessage.Decode(bytes.AsSpan(UaTcpHeader.Size)));
        Assert.Equal(StatusCode.BadTcpEndpointUrlInvalid, ex.StatusCode);
    }

    [Fact]
    public void TryReadFrame_RandomBytes_NeverThrowsAnythingElse()
    {
        Random random = new(7);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            if (bytes.Length >= 3 && random.Next(2) == 0)
            {
                "MSG"u8.CopyTo(bytes);
            }

            ReadOnlySequence<byte> buffer = new(bytes);
            try
            {
                if (UaTcpFrameReader.TryReadFrame(ref buffer, 65535, out var header, out var frame))
                {
                    Assert.Equal(header.MessageSize, (uint)frame.Length);
                }
            }
            catch (OpcUaProtocolException)
            {
            }
        }
    }
}
