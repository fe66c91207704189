using System.Buffers;

using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Tests.Encoding;

/// <summary>Encodes with <see cref="UaBinaryWriter"/> into bytes; decodes bytes and checks the decoder consumed exactly them.</summary>
internal static class Codec
{
    public static byte[] Encode(Action<UaBinaryWriter> write)
    {
        ArrayBufferWriter<byte> buffer = new();
        write(new UaBinaryWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    public static T Decode<T>(byte[] bytes, ElementReader<T> read)
    {
        UaBinaryReader reader = new(bytes);
        var value = read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Every proper prefix of a valid encoding must be refused with BadDecodingError, never read past its end.</summary>
    public static void AssertEveryTruncationRefused<T>(byte[] bytes, ElementReader<T> read)
    {
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var ex = Assert.Throws<OpcUaProtocolException>(() =>
            {
                UaBinaryReader reader = new(prefix);
                read(ref reader);
            });
            Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
        }
    }
}
