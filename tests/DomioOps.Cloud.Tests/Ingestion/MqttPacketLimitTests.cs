using DomioOps.Cloud.Ingestion;

using MQTTnet.Exceptions;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// The broker's packet-size guard on fixed headers written by hand from MQTT 5.0 §2.1.1 (type nibble) and §1.5.5
/// (Variable Byte Integer: 0x7F = 127, 0x80 0x01 = 128, 0xFF 0xFF 0xFF 0x7F = 268,435,455), whole and byte by byte.
/// </summary>
public sealed class MqttPacketLimitTests
{
    private const int MaxConnect = 4096;
    private const int MaxPacket = 70_000;

    public static TheoryData<string, byte[]> Accepted => new()
    {
        // CONNECT of 10 bytes, then PINGREQ (0xC0 0x00), then PUBLISH of 128 bytes (0x80 0x01) with its body.
        { "connect, ping, publish", [0x10, 0x0A, .. new byte[10], 0xC0, 0x00, 0x30, 0x80, 0x01, .. new byte[128]] },
        // CONNECT of exactly 4,096 bytes (0x80 0x20), then PUBLISH of exactly 70,000 bytes (0xF0 0xA2 0x04).
        { "both at their limits", [0x10, 0x80, 0x20, .. new byte[4096], 0x30, 0xF0, 0xA2, 0x04, .. new byte[70_000]] },
    };

    public static TheoryData<string, byte[], string> Refused => new()
    {
        { "CONNECT of 4,097 bytes", [0x10, 0x81, 0x20], "CONNECT packet of 4097 bytes is over the limit of 4096" },
        { "CONNECT of 268,435,455 bytes", [0x10, 0xFF, 0xFF, 0xFF, 0x7F], "CONNECT packet of 268435455 bytes is over the limit of 4096" },
        { "PUBLISH first", [0x30], "the first packet must be CONNECT (type 1), not type 3" },
        { "PUBLISH of 70,001 bytes", [0x10, 0x00, 0x30, 0xF1, 0xA2, 0x04], "packet of 70001 bytes is over the limit of 70000" },
        { "five length bytes", [0x10, 0x00, 0x30, 0x80, 0x80, 0x80, 0x80], "malformed Remaining Length: more than 4 bytes (MQTT 5.0 §1.5.5)" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Inspect_PacketsWithinTheLimits_Accepted(string name, byte[] bytes)
    {
        Assert.NotEmpty(name);
        Limit().Inspect(bytes);
        var byteByByte = Limit();
        foreach (var b in bytes)
        {
            byteByByte.Inspect([b]);
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Inspect_PacketOverTheLimitOrMalformed_ThrowsAsSoonAsTheHeaderIsComplete(string name, byte[] bytes, string expected)
    {
        Assert.NotEmpty(name);
        Assert.Equal(expected, Assert.Throws<MqttProtocolViolationException>(() => Limit().Inspect(bytes)).Message);
        var byteByByte = Limit();
        var thrownAt = -1;
        for (var i = 0; i < bytes.Length && thrownAt < 0; i++)
        {
            try
            {
                byteByByte.Inspect([bytes[i]]);
            }
            catch (MqttProtocolViolationException)
            {
                thrownAt = i;
            }
        }

        // The last byte of each vector completes the header that breaks the rule: nothing of its body is waited for.
        Assert.Equal(bytes.Length - 1, thrownAt);
    }

    private static MqttPacketLimit Limit() => new(null!, MaxConnect, MaxPacket);
}
