using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Tests.Encoding;

/// <summary>Seeded property tests: random and mutated bytes never crash or hang a decoder; only the typed protocol exception escapes.</summary>
public sealed class DecoderFuzzTests
{
    private static readonly ElementReader<object?>[] Decoders =
    [
        static (ref UaBinaryReader r) => r.ReadVariant(),
        static (ref UaBinaryReader r) => r.ReadDataValue(),
        static (ref UaBinaryReader r) => r.ReadExtensionObject(),
        static (ref UaBinaryReader r) => r.ReadDiagnosticInfo(),
        static (ref UaBinaryReader r) => r.ReadExpandedNodeId(),
        static (ref UaBinaryReader r) => r.ReadLocalizedText(),
    ];

    [Fact]
    public void Decoders_RandomBytes_OnlyThrowProtocolException()
    {
        Random random = new(20261125);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            foreach (var decoder in Decoders)
            {
                AssertDecodesOrRefuses(bytes, decoder);
            }
        }
    }

    [Fact]
    public void DecodeMessage_MutatedValidMessages_OnlyThrowProtocolException()
    {
        Random random = new(4);
        var seeds = ServiceEncodingTests.SampleMessages().Select(ServiceEncodingTests.EncodeMessage).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                EncodeableTypes.DecodeMessage(bytes, EncodingLimits.Default);
            }
            catch (OpcUaProtocolException)
            {
            }
        }
    }

    private static void AssertDecodesOrRefuses(byte[] bytes, ElementReader<object?> decoder)
    {
        try
        {
            UaBinaryReader reader = new(bytes);
            decoder(ref reader);
            Assert.InRange(reader.Position, 0, bytes.Length);
        }
        catch (OpcUaProtocolException)
        {
        }
    }
}
