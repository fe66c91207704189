using System.Collections;

namespace DomioOps.Devices.OpcUa;

/// <summary>The content of an XmlElement (OPC 10000-6 §5.2.2.8): UTF-8 XML text.</summary>
public readonly record struct XmlElement(string? Value);

/// <summary>
/// A value of any built-in type, a one-dimensional array of them, or a matrix (OPC 10000-6 §5.2.2.16).
/// Scalars are the CLR types (<see cref="bool"/>, <see cref="int"/>, <see cref="string"/>, byte[] for ByteString, ...);
/// arrays are typed arrays; a matrix is its flattened array plus <see cref="ArrayDimensions"/>.
/// </summary>
/// <remarks>
/// Numeric scalars, Boolean, DateTime and StatusCode are held inline (no boxing: a decoded data change allocates
/// nothing for its value); <see cref="Value"/> boxes them on each read, the typed accessors (<see cref="TryGetDouble"/>,
/// <see cref="AsInt64"/>, ...) do not. Strings, other structures and arrays are held as objects.
/// </remarks>
public readonly struct Variant : IEquatable<Variant>
{
    public static readonly Variant Null;

    private static readonly Dictionary<Type, BuiltInType> ScalarTypes = new()
    {
        [typeof(bool)] = BuiltInType.Boolean,
        [typeof(sbyte)] = BuiltInType.SByte,
        [typeof(byte)] = BuiltInType.Byte,
        [typeof(short)] = BuiltInType.Int16,
        [typeof(ushort)] = BuiltInType.UInt16,
        [typeof(int)] = BuiltInType.Int32,
        [typeof(uint)] = BuiltInType.UInt32,
        [typeof(long)] = BuiltInType.Int64,
        [typeof(ulong)] = BuiltInType.UInt64,
        [typeof(float)] = BuiltInType.Float,
        [typeof(double)] = BuiltInType.Double,
        [typeof(string)] = BuiltInType.String,
        [typeof(DateTime)] = BuiltInType.DateTime,
        [typeof(Guid)] = BuiltInType.Guid,
        [typeof(byte[])] = BuiltInType.ByteString,
        [typeof(XmlElement)] = BuiltInType.XmlElement,
        [typeof(NodeId)] = BuiltInType.NodeId,
        [typeof(ExpandedNodeId)] = BuiltInType.ExpandedNodeId,
        [typeof(StatusCode)] = BuiltInType.StatusCode,
        [typeof(QualifiedName)] = BuiltInType.QualifiedName,
        [typeof(LocalizedText)] = BuiltInType.LocalizedText,
        [typeof(ExtensionObject)] = BuiltInType.ExtensionObject,
        [typeof(DataValue)] = BuiltInType.DataValue,
        [typeof(Variant)] = BuiltInType.Variant,
        [typeof(DiagnosticInfo)] = BuiltInType.DiagnosticInfo,
    };

    /// <summary>Reference scalars and arrays; null for inline scalars.</summary>
    private readonly object? _object;

    /// <summary>The bits of an inline scalar (see <see cref="IsInline"/>).</summary>
    private readonly long _bits;

    private readonly int[]? _dimensions;

    /// <summary>Wraps a scalar or a typed array; the built-in type is inferred from the CLR type.</summary>
    public Variant(object? value)
    {
        if (value is null)
        {
            Type = BuiltInType.Null;
            return;
        }

        var clr = value.GetType();
        if (ScalarTypes.TryGetValue(clr, out var scalar) && scalar != BuiltInType.Variant)
        {
            Type = scalar;
            (_object, _bits) = Store(scalar, value);
            return;
        }

        if (clr.IsArray && clr.GetArrayRank() == 1 && ScalarTypes.TryGetValue(clr.GetElementType()!, out var element))
        {
            Type = element;
            _object = value;
            IsArray = true;
            return;
        }

        throw new ArgumentException($"No OPC UA built-in type for {clr}.", nameof(value));
    }

    public Variant(bool value) => (Type, _bits) = (BuiltInType.Boolean, value ? 1 : 0);

    public Variant(sbyte value) => (Type, _bits) = (BuiltInType.SByte, value);

    public Variant(byte value) => (Type, _bits) = (BuiltInType.Byte, value);

    public Variant(short value) => (Type, _bits) = (BuiltInType.Int16, value);

    public Variant(ushort value) => (Type, _bits) = (BuiltInType.UInt16, value);

    public Variant(int value) => (Type, _bits) = (BuiltInType.Int32, value);

    public Variant(uint value) => (Type, _bits) = (BuiltInType.UInt32, value);

    public Variant(long value) => (Type, _bits) = (BuiltInType.Int64, value);

    public Variant(ulong value) => (Type, _bits) = (BuiltInType.UInt64, (long)value);

    public Variant(float value) => (Type, _bits) = (BuiltInType.Float, BitConverter.SingleToInt32Bits(value));

    public Variant(double value) => (Type, _bits) = (BuiltInType.Double, BitConverter.DoubleToInt64Bits(value));

    public Variant(DateTime value) => (Type, _bits) = (BuiltInType.DateTime, DateTimeBits(value));

    public Variant(StatusCode value) => (Type, _bits) = (BuiltInType.StatusCode, value.Code);

    internal Variant(BuiltInType type, object? value, bool isArray, int[]? dimensions)
    {
        Type = type;
        IsArray = isArray;
        _dimensions = dimensions;
        if (isArray || value is null)
        {
            _object = value;
        }
        else
        {
            (_object, _bits) = Store(type, value);
        }
    }

    /// <summary>An inline scalar from its bits (the decoder's path: nothing is boxed).</summary>
    private Variant(BuiltInType type, long bits)
    {
        Type = type;
        _bits = bits;
    }

    internal static Variant FromBits(BuiltInType type, long bits) => new(type, bits);

    /// <summary>Whether a scalar of this type is held inline rather than as an object.</summary>
    internal static bool IsInline(BuiltInType type) => type is >= BuiltInType.Boolean and <= BuiltInType.Double or BuiltInType.DateTime or BuiltInType.StatusCode;

    private static (object? Object, long Bits) Store(BuiltInType type, object value) => type switch
    {
        BuiltInType.Boolean => (null, (bool)value ? 1 : 0),
        BuiltInType.SByte => (null, (sbyte)value),
        BuiltInType.Byte => (null, (byte)value),
        BuiltInType.Int16 => (null, (short)value),
        BuiltInType.UInt16 => (null, (ushort)value),
        BuiltInType.Int32 => (null, (int)value),
        BuiltInType.UInt32 => (null, (uint)value),
        BuiltInType.Int64 => (null, (long)value),
        BuiltInType.UInt64 => (null, (long)(ulong)value),
        BuiltInType.Float => (null, BitConverter.SingleToInt32Bits((float)value)),
        BuiltInType.Double => (null, BitConverter.DoubleToInt64Bits((double)value)),
        BuiltInType.DateTime => (null, DateTimeBits((DateTime)value)),
        BuiltInType.StatusCode => (null, ((StatusCode)value).Code),
        _ => (value, 0),
    };

    /// <summary>DateTime's own layout: ticks in the low 62 bits, the kind in the top two.</summary>
    private static long DateTimeBits(DateTime value) => (long)((ulong)value.Ticks | ((ulong)value.Kind << 62));

    private static DateTime DateTimeOf(long bits) => new(bits & 0x3FFF_FFFF_FFFF_FFFF, (DateTimeKind)((ulong)bits >> 62));

    /// <summary>The raw bits of an inline scalar (for the encoder).</summary>
    internal long Bits => _bits;

    /// <summary>A one-dimensional array of Byte (a byte[] alone is a ByteString scalar).</summary>
    public static Variant ByteArray(byte[] values) => new(BuiltInType.Byte, values, true, null);

    /// <summary>A matrix: the flattened array in row-major order and its dimension lengths.</summary>
    public static Variant Matrix(Array flattened, IReadOnlyList<int> dimensions)
    {
        ArgumentNullException.ThrowIfNull(flattened);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (!ScalarTypes.TryGetValue(flattened.GetType().GetElementType()!, out var element) || flattened.Rank != 1)
        {
            throw new ArgumentException($"No OPC UA built-in type for {flattened.GetType()}.", nameof(flattened));
        }

        long product = 1;
        foreach (var d in dimensions)
        {
            product *= d;
        }

        if (product != flattened.Length)
        {
            throw new ArgumentException("Dimensions do not match the array length.", nameof(dimensions));
        }

        return new Variant(element, flattened, true, [.. dimensions]);
    }

    public BuiltInType Type { get; }

    /// <summary>The value as an object: inline scalars are boxed on each read (prefer the typed accessors on hot paths).</summary>
    public object? Value => _object is not null || IsArray || !IsInline(Type) ? _object : Type switch
    {
        BuiltInType.Boolean => _bits != 0,
        BuiltInType.SByte => (sbyte)_bits,
        BuiltInType.Byte => (byte)_bits,
        BuiltInType.Int16 => (short)_bits,
        BuiltInType.UInt16 => (ushort)_bits,
        BuiltInType.Int32 => (int)_bits,
        BuiltInType.UInt32 => (uint)_bits,
        BuiltInType.Int64 => _bits,
        BuiltInType.UInt64 => (ulong)_bits,
        BuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits),
        BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
        BuiltInType.DateTime => DateTimeOf(_bits),
        _ => new StatusCode((uint)_bits),
    };

    public bool IsArray { get; }

    public IReadOnlyList<int>? ArrayDimensions => _dimensions;

    public bool IsNull => Type == BuiltInType.Null;

    /// <summary>A numeric or Boolean scalar as a double (true = 1), without boxing; false for anything else.</summary>
    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (IsArray)
        {
            return false;
        }

        switch (Type)
        {
            case BuiltInType.Boolean: value = _bits != 0 ? 1 : 0; return true;
            case BuiltInType.SByte or BuiltInType.Byte or BuiltInType.Int16 or BuiltInType.UInt16 or BuiltInType.Int32 or BuiltInType.UInt32 or BuiltInType.Int64: value = _bits; return true;
            case BuiltInType.UInt64: value = (ulong)_bits; return true;
            case BuiltInType.Float: value = BitConverter.Int32BitsToSingle((int)_bits); return true;
            case BuiltInType.Double: value = BitConverter.Int64BitsToDouble(_bits); return true;
            default: return false;
        }
    }

    /// <summary>An integer or Boolean scalar as Int64 (UInt64 above Int64.MaxValue wraps), without boxing; throws for other types.</summary>
    public long AsInt64() => !IsArray && Type is >= BuiltInType.Boolean and <= BuiltInType.UInt64
        ? _bits
        : throw new InvalidCastException($"A {Type}{(IsArray ? " array" : "")} is not an integer.");

    /// <summary>A DateTime scalar, without boxing.</summary>
    public DateTime AsDateTime() => !IsArray && Type == BuiltInType.DateTime ? DateTimeOf(_bits) : throw new InvalidCastException($"A {Type} is not a DateTime.");

    public static bool operator ==(Variant left, Variant right) => left.Equals(right);

    public static bool operator !=(Variant left, Variant right) => !left.Equals(right);

    public bool Equals(Variant other)
    {
        if (Type != other.Type || IsArray != other.IsArray)
        {
            return false;
        }

        if (!((_dimensions ?? []).AsSpan().SequenceEqual(other._dimensions ?? [])))
        {
            return false;
        }

        if (!IsArray && IsInline(Type))
        {
            // As Equals on the boxed values: floats by value (NaN equals NaN), DateTimes by ticks whatever their kind.
            return Type switch
            {
                BuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits).Equals(BitConverter.Int32BitsToSingle((int)other._bits)),
                BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits).Equals(BitConverter.Int64BitsToDouble(other._bits)),
                BuiltInType.DateTime => DateTimeOf(_bits) == DateTimeOf(other._bits),
                _ => _bits == other._bits,
            };
        }

        return StructuralComparisons.StructuralEqualityComparer.Equals(_object, other._object);
    }

    public override bool Equals(object? obj) => obj is Variant other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, IsArray, IsArray ? 0 : IsInline(Type) ? Value?.GetHashCode() ?? 0 : _object?.GetHashCode() ?? 0);

    public override string ToString() => IsArray ? $"{Type}[{((Array)_object!).Length}]" : Value?.ToString() ?? "null";
}
