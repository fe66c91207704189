using System.Collections;

namespace DomioOps.Devices.OpcUa;

/// <summary>The content of an XmlElement (OPC 10000-6 §5.2.2.8): UTF-8 XML text.</summary>
public readonly record struct XmlElement(string? Value);

/// <summary>
/// A value of any built-in type, a one-dimensional array of them, or a matrix (OPC 10000-6 §5.2.2.16).
/// Scalars are the CLR types (<see cref="bool"/>, <see cref="int"/>, <see cref="string"/>, byte[] for ByteString, ...);
/// arrays are typed arrays; a matrix is its flattened array plus <see cref="ArrayDimensions"/>.
/// </summary>
public readonly struct Variant : IEquatable<Variant>
{
    public static readonly Variant Null;

    private static readonly Dictionary<Type, BuiltInType> s_scalarTypes = new()
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

    private readonly int[]? _dimensions;

    /// <summary>Wraps a scalar or a typed array; the built-in type is inferred from the CLR type.</summary>
    public Variant(object? value)
    {
        if (value is null)
        {
            Type = BuiltInType.Null;
            return;
        }

        Type clr = value.GetType();
        if (s_scalarTypes.TryGetValue(clr, out BuiltInType scalar) && scalar != BuiltInType.Variant)
        {
            Type = scalar;
            Value = value;
            return;
        }

        if (clr.IsArray && clr.GetArrayRank() == 1 && s_scalarTypes.TryGetValue(clr.GetElementType()!, out BuiltInType element))
        {
            Type = element;
            Value = value;
            IsArray = true;
            return;
        }

        throw new ArgumentException($"No OPC UA built-in type for {clr}.", nameof(value));
    }

    internal Variant(BuiltInType type, object? value, bool isArray, int[]? dimensions)
    {
        Type = type;
        Value = value;
        IsArray = isArray;
        _dimensions = dimensions;
    }

    /// <summary>A one-dimensional array of Byte (a byte[] alone is a ByteString scalar).</summary>
    public static Variant ByteArray(byte[] values) => new(BuiltInType.Byte, values, true, null);

    /// <summary>A matrix: the flattened array in row-major order and its dimension lengths.</summary>
    public static Variant Matrix(Array flattened, IReadOnlyList<int> dimensions)
    {
        ArgumentNullException.ThrowIfNull(flattened);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (!s_scalarTypes.TryGetValue(flattened.GetType().GetElementType()!, out BuiltInType element) || flattened.Rank != 1)
        {
            throw new ArgumentException($"No OPC UA built-in type for {flattened.GetType()}.", nameof(flattened));
        }

        long product = 1;
        foreach (int d in dimensions)
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

    public object? Value { get; }

    public bool IsArray { get; }

    public IReadOnlyList<int>? ArrayDimensions => _dimensions;

    public bool IsNull => Type == BuiltInType.Null;

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

        return StructuralComparisons.StructuralEqualityComparer.Equals(Value, other.Value);
    }

    public override bool Equals(object? obj) => obj is Variant other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, IsArray, Value is Array ? 0 : Value?.GetHashCode() ?? 0);

    public override string ToString() => IsArray ? $"{Type}[{((Array)Value!).Length}]" : Value?.ToString() ?? "null";
}
