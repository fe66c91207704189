using System.Globalization;

namespace DomioOps.Devices.OpcUa;

/// <summary>The kind of identifier a <see cref="NodeId"/> holds (OPC 10000-3 §8.2).</summary>
public enum NodeIdType
{
    Numeric = 0,
    String = 1,
    Guid = 2,
    Opaque = 3,
}

/// <summary>An immutable node identifier: namespace index plus a numeric, string, GUID or opaque identifier.</summary>
public sealed class NodeId : IEquatable<NodeId>
{
    public static readonly NodeId Null = new(0, 0u);

    private readonly object _identifier;

    public NodeId(ushort namespaceIndex, uint identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Numeric;
        _identifier = identifier;
    }

    public NodeId(ushort namespaceIndex, string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.String;
        _identifier = identifier;
    }

    public NodeId(ushort namespaceIndex, Guid identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Guid;
        _identifier = identifier;
    }

    public NodeId(ushort namespaceIndex, ReadOnlySpan<byte> identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = NodeIdType.Opaque;
        _identifier = identifier.ToArray();
    }

    public ushort NamespaceIndex { get; }

    public NodeIdType IdType { get; }

    /// <summary>The identifier: <see cref="uint"/>, <see cref="string"/>, <see cref="System.Guid"/> or a copy of the opaque bytes.</summary>
    public object Identifier => _identifier is byte[] bytes ? bytes.Clone() : _identifier;

    public uint NumericIdentifier => _identifier is uint n ? n : throw new InvalidOperationException("Not a numeric NodeId.");

    internal string StringIdentifier => (string)_identifier;

    internal Guid GuidIdentifier => (Guid)_identifier;

    internal ReadOnlySpan<byte> OpaqueIdentifier => (byte[])_identifier;

    public bool IsNull => NamespaceIndex == 0 && IdType switch
    {
        NodeIdType.Numeric => (uint)_identifier == 0,
        NodeIdType.String => ((string)_identifier).Length == 0,
        NodeIdType.Guid => (Guid)_identifier == Guid.Empty,
        _ => ((byte[])_identifier).Length == 0,
    };

    /// <summary>Parses the standard text form: <c>ns=2;s=Name</c>, <c>i=85</c>, <c>g=...</c>, <c>b=base64</c>.</summary>
    public static NodeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ushort ns = 0;
        var rest = text;
        if (rest.StartsWith("ns=", StringComparison.Ordinal))
        {
            var semi = rest.IndexOf(';', StringComparison.Ordinal);
            if (semi < 0)
            {
                throw new FormatException($"Invalid NodeId '{text}'.");
            }

            ns = ushort.Parse(rest.AsSpan(3, semi - 3), NumberStyles.None, CultureInfo.InvariantCulture);
            rest = rest[(semi + 1)..];
        }

        if (rest.Length < 2 || rest[1] != '=')
        {
            throw new FormatException($"Invalid NodeId '{text}'.");
        }

        var value = rest[2..];
        return rest[0] switch
        {
            'i' => new NodeId(ns, uint.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)),
            's' => new NodeId(ns, value),
            'g' => new NodeId(ns, Guid.Parse(value)),
            'b' => new NodeId(ns, Convert.FromBase64String(value)),
            _ => throw new FormatException($"Invalid NodeId '{text}'."),
        };
    }

    public static implicit operator NodeId(uint identifier) => new(0, identifier);

    public static NodeId FromUInt32(uint identifier) => new(0, identifier);

    public static bool operator ==(NodeId? left, NodeId? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(NodeId? left, NodeId? right) => !(left == right);

    public bool Equals(NodeId? other)
    {
        if (other is null || other.NamespaceIndex != NamespaceIndex || other.IdType != IdType)
        {
            return false;
        }

        return IdType switch
        {
            NodeIdType.Numeric => (uint)_identifier == (uint)other._identifier,
            NodeIdType.String => string.Equals((string)_identifier, (string)other._identifier, StringComparison.Ordinal),
            NodeIdType.Guid => (Guid)_identifier == (Guid)other._identifier,
            _ => ((byte[])_identifier).AsSpan().SequenceEqual((byte[])other._identifier),
        };
    }

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode()
    {
        var id = _identifier switch
        {
            byte[] bytes => bytes.Length == 0 ? 0 : HashCode.Combine(bytes.Length, bytes[0], bytes[^1]),
            string s => StringComparer.Ordinal.GetHashCode(s),
            _ => _identifier.GetHashCode(),
        };
        return HashCode.Combine(NamespaceIndex, IdType, id);
    }

    public override string ToString()
    {
        var prefix = NamespaceIndex == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"ns={NamespaceIndex};");
        return IdType switch
        {
            NodeIdType.Numeric => string.Create(CultureInfo.InvariantCulture, $"{prefix}i={(uint)_identifier}"),
            NodeIdType.String => $"{prefix}s={(string)_identifier}",
            NodeIdType.Guid => $"{prefix}g={(Guid)_identifier}",
            _ => $"{prefix}b={Convert.ToBase64String((byte[])_identifier)}",
        };
    }
}

/// <summary>A NodeId that may name its namespace by URI and live on another server (OPC 10000-6 §5.2.2.10).</summary>
public sealed record ExpandedNodeId(NodeId NodeId, string? NamespaceUri = null, uint ServerIndex = 0)
{
    public static readonly ExpandedNodeId Null = new(NodeId.Null);

    public override string ToString()
    {
        var server = ServerIndex == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"svr={ServerIndex};");
        return NamespaceUri is null ? server + NodeId : $"{server}nsu={NamespaceUri};{NodeId}";
    }
}

/// <summary>A name qualified by a namespace index (OPC 10000-3 §8.3).</summary>
public sealed record QualifiedName(ushort NamespaceIndex, string? Name)
{
    public static readonly QualifiedName Null = new(0, null);

    public override string ToString() => NamespaceIndex == 0 ? Name ?? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{NamespaceIndex}:{Name}");
}

/// <summary>Human readable text with an optional locale (OPC 10000-3 §8.5).</summary>
public sealed record LocalizedText(string? Locale, string? Text)
{
    public static readonly LocalizedText Null = new(null, null);

    public LocalizedText(string? text)
        : this(null, text)
    {
    }

    public override string ToString() => Text ?? string.Empty;
}
