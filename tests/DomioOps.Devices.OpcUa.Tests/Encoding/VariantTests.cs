using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Tests.Encoding;

/// <summary>Variant holds numeric, Boolean, DateTime and StatusCode scalars inline: same type, value and equality as a boxed one.</summary>
public sealed class VariantTests
{
    public static TheoryData<object> InlineScalars() =>
    [
        true, (sbyte)-5, (byte)250, (short)-30000, (ushort)65000, -2_000_000_000, 4_000_000_000u, long.MinValue, ulong.MaxValue,
        -1.5f, double.NaN, 1e300, new DateTime(2026, 11, 25, 17, 0, 0, DateTimeKind.Utc), StatusCode.BadNodeIdUnknown,
    ];

    [Theory]
    [MemberData(nameof(InlineScalars))]
    public void Value_InlineScalar_ComesBackAsTheSameClrValue(object value)
    {
        Variant variant = new(value);

        Assert.Equal(value.GetType(), variant.Value!.GetType());
        Assert.Equal(value, variant.Value);
        Assert.Equal(variant, new Variant(value));
        Assert.Equal(variant.GetHashCode(), new Variant(value).GetHashCode());
        var decoded = Codec.Decode(Codec.Encode(w => w.WriteVariant(variant)), static (ref UaBinaryReader r) => r.ReadVariant());
        Assert.Equal(variant, decoded);
        Assert.Equal(value, decoded.Value);
    }

    [Fact]
    public void Constructor_TypedOverloads_InferTheBuiltInType()
    {
        Assert.Equal(BuiltInType.Byte, new Variant((byte)1).Type);
        Assert.Equal(BuiltInType.Int16, new Variant((short)1).Type);
        Assert.Equal(BuiltInType.UInt32, new Variant(1u).Type);
        Assert.Equal(BuiltInType.Float, new Variant(1f).Type);
        Assert.Equal(BuiltInType.StatusCode, new Variant(StatusCode.Good).Type);
        Assert.Equal(new Variant((object)7), new Variant(7));
    }

    [Fact]
    public void Equals_DifferentTypeSameBits_IsFalse()
    {
        Assert.NotEqual(new Variant(1), new Variant(1u));
        Assert.NotEqual(new Variant(1), new Variant(2));
        Assert.NotEqual(new Variant(1.0), new Variant(2.0));
    }

    [Fact]
    public void DateTime_KindIsKept()
    {
        DateTime local = new(2026, 1, 1, 8, 0, 0, DateTimeKind.Local);

        Assert.Equal(DateTimeKind.Local, new Variant(local).AsDateTime().Kind);
        Assert.Equal(local, new Variant(local).Value);
    }

    [Fact]
    public void TryGetDouble_NumbersAndBooleans_WithoutBoxing()
    {
        Assert.True(new Variant(true).TryGetDouble(out var b));
        Assert.Equal(1, b);
        Assert.True(new Variant(ulong.MaxValue).TryGetDouble(out var u));
        Assert.Equal(ulong.MaxValue, u);
        Assert.True(new Variant(-1.5f).TryGetDouble(out var f));
        Assert.Equal(-1.5, f);
        Assert.False(new Variant("7").TryGetDouble(out _));
        Assert.False(new Variant(new[] { 1, 2 }).TryGetDouble(out _));
        Assert.Equal(-7, new Variant((sbyte)-7).AsInt64());
        Assert.Throws<InvalidCastException>(() => new Variant(1.0).AsInt64());
    }
}
