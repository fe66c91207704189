using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Tests.Encoding;

public sealed class BuiltInTypeEncodingTests
{
    // OPC 10000-6 §5.2.2.2 Figure 2: 1 000 000 000 as Int32.
    [Fact]
    public void Int32_SpecificationFigure2_MatchesBothWays()
    {
        var expected = Codec.Hex("00 CA 9A 3B");
        Assert.Equal(expected, Codec.Encode(w => w.WriteInt32(1_000_000_000)));
        Assert.Equal(1_000_000_000, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadInt32()));
    }

    // OPC 10000-6 §5.2.2.3 Figure 3: -6.5 as Float.
    [Fact]
    public void Float_SpecificationFigure3_MatchesBothWays()
    {
        var expected = Codec.Hex("00 00 D0 C0");
        Assert.Equal(expected, Codec.Encode(w => w.WriteFloat(-6.5f)));
        Assert.Equal(-6.5f, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadFloat()));
    }

    // OPC 10000-6 §5.2.2.4 Figure 4: the String "水Boy".
    [Fact]
    public void String_SpecificationFigure4_MatchesBothWays()
    {
        var expected = Codec.Hex("06 00 00 00 E6 B0 B4 42 6F 79");
        Assert.Equal(expected, Codec.Encode(w => w.WriteString("水Boy")));
        Assert.Equal("水Boy", Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadString()));
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadString());
    }

    [Fact]
    public void String_Null_EncodesMinusOne()
    {
        var expected = Codec.Hex("FF FF FF FF");
        Assert.Equal(expected, Codec.Encode(w => w.WriteString(null)));
        Assert.Null(Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadString()));
    }

    [Fact]
    public void String_InvalidUtf8_ThrowsDecodingError()
    {
        var bytes = Codec.Hex("02 00 00 00 C3 28");
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadString()));
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    [Fact]
    public void String_LengthAboveLimit_ThrowsEncodingLimitsExceeded()
    {
        var bytes = Codec.Hex("00 00 00 7F");
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadString()));
        Assert.Equal(StatusCode.BadEncodingLimitsExceeded, ex.StatusCode);
    }

    // OPC 10000-6 §5.2.2.6 Figure 5: Guid {72962B91-FA75-4AE6-8D28-B404DC7DAF63}.
    [Fact]
    public void Guid_SpecificationFigure5_MatchesBothWays()
    {
        var expected = Codec.Hex("91 2B 96 72 75 FA E6 4A 8D 28 B4 04 DC 7D AF 63");
        var guid = Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63");
        Assert.Equal(expected, Codec.Encode(w => w.WriteGuid(guid)));
        Assert.Equal(guid, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadGuid()));
    }

    // OPC 10000-6 §5.2.2.5: 100 ns ticks since 1601-01-01; 2024-01-01T00:00:00Z is 133485408000000000 = 0x01DA3C5A_DD4F0000 (hand-computed).
    [Fact]
    public void DateTime_KnownInstant_MatchesBothWays()
    {
        DateTime instant = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var expected = BitConverter.GetBytes(133485408000000000L);
        Assert.Equal(expected, Codec.Encode(w => w.WriteDateTime(instant)));
        Assert.Equal(instant, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadDateTime()));
    }

    [Fact]
    public void DateTime_MinAndMax_MapToZeroAndInt64Max()
    {
        Assert.Equal(Codec.Hex("00 00 00 00 00 00 00 00"), Codec.Encode(w => w.WriteDateTime(DateTime.MinValue)));
        Assert.Equal(Codec.Hex("FF FF FF FF FF FF FF 7F"), Codec.Encode(w => w.WriteDateTime(DateTime.MaxValue)));
        Assert.Equal(DateTime.MaxValue, Codec.Decode(Codec.Hex("FF FF FF FF FF FF FF 7F"), static (ref UaBinaryReader r) => r.ReadDateTime()));
        Assert.Equal(DateTime.MinValue, Codec.Decode(Codec.Hex("FF FF FF FF FF FF FF FF"), static (ref UaBinaryReader r) => r.ReadDateTime()));
    }

    // OPC 10000-6 §5.2.2.9 Figures 6-8: two-byte, four-byte and string NodeIds.
    [Theory]
    [InlineData("00 48", "i=72")]
    [InlineData("01 05 01 04", "ns=5;i=1025")]
    [InlineData("03 01 00 06 00 00 00 48 6F 74 E6 B0 B4", "ns=1;s=Hot水")]
    [InlineData("02 00 00 00 00 01 00", "i=65536")]
    [InlineData("02 00 01 01 00 00 00", "ns=256;i=1")]
    [InlineData("04 02 00 91 2B 96 72 75 FA E6 4A 8D 28 B4 04 DC 7D AF 63", "ns=2;g=72962b91-fa75-4ae6-8d28-b404dc7daf63")]
    [InlineData("05 03 00 03 00 00 00 01 02 03", "ns=3;b=AQID")]
    public void NodeId_EveryEncodingForm_MatchesBothWays(string hex, string text)
    {
        var expected = Codec.Hex(hex);
        var nodeId = NodeId.Parse(text);
        Assert.Equal(expected, Codec.Encode(w => w.WriteNodeId(nodeId)));
        Assert.Equal(nodeId, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadNodeId()));
        Assert.Equal(text, nodeId.ToString());
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadNodeId());
    }

    [Theory]
    [InlineData("06 00")]
    [InlineData("80 00")]
    public void NodeId_InvalidEncodingByte_ThrowsDecodingError(string hex)
    {
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(Codec.Hex(hex), static (ref UaBinaryReader r) => r.ReadNodeId()));
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    // OPC 10000-6 §5.2.2.10: flags 0x80 (NamespaceUri follows) and 0x40 (ServerIndex follows) on the NodeId encoding byte.
    [Fact]
    public void ExpandedNodeId_UriAndServerIndex_MatchesBothWays()
    {
        ExpandedNodeId value = new(new NodeId(0, 1025u), "urn:a", 2);
        var expected = Codec.Hex("C1 00 01 04 05 00 00 00 75 72 6E 3A 61 02 00 00 00");
        Assert.Equal(expected, Codec.Encode(w => w.WriteExpandedNodeId(value)));
        Assert.Equal(value, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadExpandedNodeId()));
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadExpandedNodeId());
    }

    // OPC 10000-6 §5.2.2.13 and §5.2.2.14: QualifiedName (UInt16 + String) and LocalizedText (mask 0x01 locale, 0x02 text).
    [Fact]
    public void QualifiedNameAndLocalizedText_MatchBothWays()
    {
        var qn = Codec.Hex("02 00 03 00 00 00 52 75 6E");
        Assert.Equal(qn, Codec.Encode(w => w.WriteQualifiedName(new QualifiedName(2, "Run"))));
        Assert.Equal(new QualifiedName(2, "Run"), Codec.Decode(qn, static (ref UaBinaryReader r) => r.ReadQualifiedName()));

        var lt = Codec.Hex("03 02 00 00 00 65 6E 02 00 00 00 48 69");
        Assert.Equal(lt, Codec.Encode(w => w.WriteLocalizedText(new LocalizedText("en", "Hi"))));
        Assert.Equal(new LocalizedText("en", "Hi"), Codec.Decode(lt, static (ref UaBinaryReader r) => r.ReadLocalizedText()));
        Assert.Equal(Codec.Hex("02 02 00 00 00 48 69"), Codec.Encode(w => w.WriteLocalizedText(new LocalizedText("Hi"))));
        Codec.AssertEveryTruncationRefused(lt, static (ref UaBinaryReader r) => r.ReadLocalizedText());
    }

    // OPC 10000-6 §5.2.2.16: Variant mask = type id, 0x80 array, 0x40 dimensions.
    [Theory]
    [InlineData("00", null)]
    [InlineData("01 01", true)]
    [InlineData("06 2A 00 00 00", 42)]
    [InlineData("0B 00 00 00 00 00 00 F8 3F", 1.5)]
    [InlineData("0C 03 00 00 00 61 62 63", "abc")]
    public void Variant_Scalar_MatchesBothWays(string hex, object? value)
    {
        var expected = Codec.Hex(hex);
        Variant variant = new(value);
        Assert.Equal(expected, Codec.Encode(w => w.WriteVariant(variant)));
        Assert.Equal(variant, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadVariant()));
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadVariant());
    }

    [Fact]
    public void Variant_Int32Array_MatchesBothWays()
    {
        var expected = Codec.Hex("86 03 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00");
        Variant variant = new(new[] { 1, 2, 3 });
        Assert.Equal(expected, Codec.Encode(w => w.WriteVariant(variant)));
        Assert.Equal(variant, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadVariant()));
    }

    [Fact]
    public void Variant_Matrix2x2_MatchesBothWays()
    {
        var expected = Codec.Hex("C3 04 00 00 00 01 02 03 04 02 00 00 00 02 00 00 00 02 00 00 00");
        var variant = Variant.Matrix(new byte[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal(expected, Codec.Encode(w => w.WriteVariant(variant)));
        var decoded = Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadVariant());
        Assert.Equal(variant, decoded);
        Assert.Equal([2, 2], decoded.ArrayDimensions);
    }

    [Fact]
    public void Variant_MatrixDimensionsDisagreeWithLength_ThrowsDecodingError()
    {
        var bytes = Codec.Hex("C3 04 00 00 00 01 02 03 04 02 00 00 00 02 00 00 00 03 00 00 00");
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    [Fact]
    public void Variant_ArrayLengthBeyondMessage_ThrowsBeforeAllocating()
    {
        var bytes = Codec.Hex("86 00 00 01 00 01 00 00 00");
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    [Theory]
    [InlineData("1A")]
    [InlineData("3F")]
    [InlineData("18 00")]
    public void Variant_InvalidTypeOrNestedScalarVariant_ThrowsDecodingError(string hex)
    {
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(Codec.Hex(hex), static (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    [Fact]
    public void Variant_EveryBuiltInTypeAsArray_RoundTrips()
    {
        object[] arrays =
        [
            new[] { true, false }, new sbyte[] { -1, 2 }, new byte[] { 1 }, new short[] { -3 }, new ushort[] { 3 },
            new[] { -4 }, new uint[] { 4 }, new long[] { -5 }, new ulong[] { 5 }, new[] { 1.25f }, new[] { 2.5 },
            new[] { "a", null }, new[] { new DateTime(2025, 5, 1, 0, 0, 0, DateTimeKind.Utc) }, new[] { Guid.NewGuid() },
            new[] { new byte[] { 1, 2 }, null }, new[] { new XmlElement("<a/>") }, new[] { new NodeId(2, "x") },
            new[] { new ExpandedNodeId(new NodeId(1, 5u), "urn:x") }, new[] { StatusCode.BadNodeIdUnknown },
            new[] { new QualifiedName(1, "q") }, new[] { new LocalizedText("de", "t") },
            new[] { new ExtensionObject(new NodeId(2, 99u), new ReadOnlyMemory<byte>([9, 8])) },
            new[] { new DataValue(new Variant(7), StatusCode.Good) }, new[] { new Variant(1), new Variant("s") },
            new DiagnosticInfo?[] { new(SymbolicId: 1, AdditionalInfo: "x", InnerDiagnosticInfo: new DiagnosticInfo(Locale: 3)) },
        ];
        foreach (var array in arrays)
        {
            Variant variant = new(array);
            var bytes = Codec.Encode(w => w.WriteVariant(variant));
            var decoded = Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadVariant());
            Assert.Equal(variant.Type, decoded.Type);
            Assert.Equal(bytes, Codec.Encode(w => w.WriteVariant(decoded)));
        }
    }

    // OPC 10000-6 §5.2.2.17: mask 0x01 value, 0x02 status, 0x04 source ts, 0x08 server ts, 0x10/0x20 picoseconds.
    [Fact]
    public void DataValue_AllFields_MatchesBothWays()
    {
        DateTime t = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        DataValue value = new(new Variant(42), StatusCode.BadNodeIdUnknown, t, t, 10, 20);
        var ticks = BitConverter.GetBytes(133485408000000000L);
        byte[] expected = [0x3F, 0x06, 0x2A, 0, 0, 0, 0x00, 0x00, 0x34, 0x80, .. ticks, 0x0A, 0x00, .. ticks, 0x14, 0x00];
        Assert.Equal(expected, Codec.Encode(w => w.WriteDataValue(value)));
        Assert.Equal(value, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadDataValue()));
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadDataValue());
    }

    // OPC 10000-6 §5.2.2.12: field order SymbolicId, NamespaceUri, Locale, LocalizedText, AdditionalInfo, InnerStatusCode, InnerDiagnosticInfo.
    [Fact]
    public void DiagnosticInfo_AllFields_MatchesBothWays()
    {
        DiagnosticInfo value = new(1, 2, 3, 4, "i", StatusCode.BadTimeout, new DiagnosticInfo(SymbolicId: 5));
        var expected = Codec.Hex("7F 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 01 00 00 00 69 00 00 0A 80 01 05 00 00 00");
        Assert.Equal(expected, Codec.Encode(w => w.WriteDiagnosticInfo(value)));
        Assert.Equal(value, Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadDiagnosticInfo()));
    }

    [Fact]
    public void DiagnosticInfo_NestedBeyondDepthLimit_ThrowsEncodingLimitsExceeded()
    {
        byte[] bytes = [.. Enumerable.Repeat((byte)0x40, 200), 0x00];
        var ex = Assert.Throws<OpcUaProtocolException>(() => Codec.Decode(bytes, static (ref UaBinaryReader r) => r.ReadDiagnosticInfo()));
        Assert.Equal(StatusCode.BadEncodingLimitsExceeded, ex.StatusCode);
    }

    // OPC 10000-6 §5.2.2.15: TypeId, encoding 0x01, Int32 length, body. DataChangeFilter (724): Trigger, DeadbandType, DeadbandValue.
    [Fact]
    public void ExtensionObject_KnownBody_DecodesTypedAndMatchesBothWays()
    {
        var expected = Codec.Hex("01 00 D4 02 01 10 00 00 00 01 00 00 00 01 00 00 00 00 00 00 00 00 00 F0 3F");
        Services.DataChangeFilter filter = new(Services.DataChangeTrigger.StatusValue, Services.DeadbandType.Absolute, 1.0);
        Assert.Equal(expected, Codec.Encode(w => w.WriteEncodeableAsExtensionObject(filter)));
        var decoded = Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadExtensionObject());
        Assert.Equal(filter, decoded.Body);
        Codec.AssertEveryTruncationRefused(expected, static (ref UaBinaryReader r) => r.ReadExtensionObject());
    }

    [Fact]
    public void ExtensionObject_KnownBodyShorterThanDeclaredStructure_ThrowsWithoutReadingPastBody()
    {
        // The body claims 4 bytes; DataChangeFilter needs 16. The bytes after the body are valid filter bytes but must not be read.
        var bytes = Codec.Hex("01 00 D4 02 01 04 00 00 00 01 00 00 00 01 00 00 00 00 00 00 00 00 00 F0 3F");
        var ex = Assert.Throws<OpcUaProtocolException>(() =>
        {
            UaBinaryReader reader = new(bytes);
            reader.ReadExtensionObject();
        });
        Assert.Equal(StatusCode.BadDecodingError, ex.StatusCode);
    }

    [Fact]
    public void ExtensionObject_UnknownType_KeepsRawBody()
    {
        var expected = Codec.Hex("01 02 39 30 01 02 00 00 00 AA BB");
        var decoded = Codec.Decode(expected, static (ref UaBinaryReader r) => r.ReadExtensionObject());
        Assert.Equal(new NodeId(2, 12345u), decoded.TypeId);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, ((ReadOnlyMemory<byte>)decoded.Body!).ToArray());
        Assert.Equal(expected, Codec.Encode(w => w.WriteExtensionObject(decoded)));
    }
}
