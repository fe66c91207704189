using System.Buffers.Binary;
using System.Text;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// UA Binary decoder for the built-in types (OPC 10000-6 §5.2.2): little-endian integers, IEEE floats, Int32-length
/// prefixed strings and arrays (-1 = null). The reader works on one complete message body: reading past its end,
/// a length beyond <see cref="EncodingLimits"/> or an invalid encoding byte throws <see cref="OpcUaProtocolException"/>
/// (BadDecodingError / BadEncodingLimitsExceeded); it never reads past the span it was given.
/// </summary>
internal ref struct UaBinaryReader
{
    private static readonly UTF8Encoding s_utf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly EncodingLimits _limits;
    private int _position;
    private int _depth;

    public UaBinaryReader(ReadOnlySpan<byte> buffer, EncodingLimits? limits = null)
    {
        _buffer = buffer;
        _limits = limits ?? EncodingLimits.Default;
        _position = 0;
        _depth = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly EncodingLimits Limits => _limits;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _buffer.Length - _position)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, $"Message ends after {_buffer.Length} bytes; {count} more needed at offset {_position}.");
        }

        ReadOnlySpan<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    public bool ReadBoolean() => Take(1)[0] != 0;

    public sbyte ReadSByte() => (sbyte)Take(1)[0];

    public byte ReadByte() => Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public StatusCode ReadStatusCode() => new(ReadUInt32());

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    /// <summary>§5.2.2.4: Int32 byte count (-1 = null) then UTF-8 without terminator.</summary>
    public string? ReadString()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        if (length > _limits.MaxStringLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"String of {length} bytes exceeds {_limits.MaxStringLength}.");
        }

        ReadOnlySpan<byte> bytes = Take(length);
        try
        {
            return s_utf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OpcUaProtocolException("String is not valid UTF-8.", ex);
        }
    }

    /// <summary>§5.2.2.5: Int64 count of 100 ns intervals since 1601-01-01 UTC; 0 and below is MinValue, Int64.MaxValue is MaxValue.</summary>
    public DateTime ReadDateTime()
    {
        long ticks = ReadInt64();
        if (ticks <= 0)
        {
            return DateTime.MinValue;
        }

        if (ticks >= DateTime.MaxValue.Ticks - UaBinaryWriter.Epoch1601Ticks)
        {
            return DateTime.MaxValue;
        }

        return new DateTime(ticks + UaBinaryWriter.Epoch1601Ticks, DateTimeKind.Utc);
    }

    /// <summary>§5.2.2.6: UInt32, UInt16, UInt16, 8 bytes, i.e. the little-endian layout of <see cref="Guid"/>.</summary>
    public Guid ReadGuid() => new(Take(16));

    /// <summary>§5.2.2.7: Int32 length (-1 = null) then the bytes.</summary>
    public byte[]? ReadByteString()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        if (length > _limits.MaxByteStringLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"ByteString of {length} bytes exceeds {_limits.MaxByteStringLength}.");
        }

        return Take(length).ToArray();
    }

    public XmlElement ReadXmlElement() => new(ReadString());

    /// <summary>
    /// §5.2.2.9, Table 7: an encoding byte then the id. 0x00 two-byte (Byte id), 0x01 four-byte (Byte ns, UInt16 id),
    /// 0x02 numeric (UInt16 ns, UInt32 id), 0x03 string, 0x04 guid, 0x05 opaque (UInt16 ns then the value).
    /// </summary>
    public NodeId ReadNodeId()
    {
        byte encoding = ReadByte();
        if ((encoding & 0xC0) != 0)
        {
            throw new OpcUaProtocolException($"NodeId encoding byte 0x{encoding:X2} carries ExpandedNodeId flags.");
        }

        return ReadNodeIdBody(encoding);
    }

    private NodeId ReadNodeIdBody(byte encoding)
    {
        switch (encoding & 0x3F)
        {
            case 0x00:
                return new NodeId(0, ReadByte());
            case 0x01:
                {
                    byte ns = ReadByte();
                    return new NodeId(ns, ReadUInt16());
                }

            case 0x02:
                {
                    ushort ns = ReadUInt16();
                    return new NodeId(ns, ReadUInt32());
                }

            case 0x03:
                {
                    ushort ns = ReadUInt16();
                    return new NodeId(ns, ReadString() ?? string.Empty);
                }

            case 0x04:
                {
                    ushort ns = ReadUInt16();
                    return new NodeId(ns, ReadGuid());
                }

            case 0x05:
                {
                    ushort ns = ReadUInt16();
                    return new NodeId(ns, ReadByteString());
                }

            default:
                throw new OpcUaProtocolException($"Unknown NodeId encoding 0x{encoding:X2}.");
        }
    }

    /// <summary>§5.2.2.10: a NodeId whose encoding byte may carry 0x80 (NamespaceUri String follows) and 0x40 (ServerIndex UInt32 follows).</summary>
    public ExpandedNodeId ReadExpandedNodeId()
    {
        byte encoding = ReadByte();
        NodeId nodeId = ReadNodeIdBody(encoding);
        string? uri = (encoding & 0x80) != 0 ? ReadString() : null;
        uint serverIndex = (encoding & 0x40) != 0 ? ReadUInt32() : 0;
        return new ExpandedNodeId(nodeId, uri, serverIndex);
    }

    /// <summary>§5.2.2.13: UInt16 namespace index, String name.</summary>
    public QualifiedName ReadQualifiedName()
    {
        ushort ns = ReadUInt16();
        return new QualifiedName(ns, ReadString());
    }

    /// <summary>§5.2.2.14: mask byte (0x01 locale, 0x02 text) then the present fields.</summary>
    public LocalizedText ReadLocalizedText()
    {
        byte mask = ReadByte();
        if ((mask & 0xFC) != 0)
        {
            throw new OpcUaProtocolException($"LocalizedText mask 0x{mask:X2} has unknown bits.");
        }

        string? locale = (mask & 0x01) != 0 ? ReadString() : null;
        string? text = (mask & 0x02) != 0 ? ReadString() : null;
        return new LocalizedText(locale, text);
    }

    /// <summary>
    /// §5.2.2.12: mask byte, then SymbolicId, NamespaceUri, Locale, LocalizedText (Int32 each), AdditionalInfo (String),
    /// InnerStatusCode, InnerDiagnosticInfo, each only if its bit (0x01, 0x02, 0x08, 0x04, 0x10, 0x20, 0x40) is set.
    /// </summary>
    public DiagnosticInfo? ReadDiagnosticInfo()
    {
        byte mask = ReadByte();
        if (mask == 0)
        {
            return null;
        }

        if ((mask & 0x80) != 0)
        {
            throw new OpcUaProtocolException($"DiagnosticInfo mask 0x{mask:X2} has unknown bits.");
        }

        Enter();
        int? symbolic = (mask & 0x01) != 0 ? ReadInt32() : null;
        int? nsUri = (mask & 0x02) != 0 ? ReadInt32() : null;
        int? locale = (mask & 0x08) != 0 ? ReadInt32() : null;
        int? text = (mask & 0x04) != 0 ? ReadInt32() : null;
        string? info = (mask & 0x10) != 0 ? ReadString() : null;
        StatusCode? inner = (mask & 0x20) != 0 ? ReadStatusCode() : null;
        DiagnosticInfo? innerInfo = (mask & 0x40) != 0 ? ReadDiagnosticInfo() ?? new DiagnosticInfo() : null;
        _depth--;
        return new DiagnosticInfo(symbolic, nsUri, locale, text, info, inner, innerInfo);
    }

    /// <summary>
    /// §5.2.2.15: TypeId NodeId, encoding byte (0x00 no body, 0x01 ByteString body, 0x02 XmlElement body), then the body
    /// as Int32 length + bytes. Known binary bodies are decoded within exactly their declared length.
    /// </summary>
    public ExtensionObject ReadExtensionObject()
    {
        NodeId typeId = ReadNodeId();
        byte encoding = ReadByte();
        switch (encoding)
        {
            case 0x00:
                return new ExtensionObject(typeId, null);
            case 0x01:
                {
                    int length = ReadInt32();
                    if (length < 0)
                    {
                        return new ExtensionObject(typeId, null);
                    }

                    if (length > _limits.MaxByteStringLength)
                    {
                        throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"ExtensionObject body of {length} bytes exceeds the limit.");
                    }

                    ReadOnlySpan<byte> body = Take(length);
                    if (typeId.NamespaceIndex == 0 && typeId.IdType == NodeIdType.Numeric && EncodeableTypes.TryGetDecoder(typeId.NumericIdentifier, out EncodeableDecoder? decoder))
                    {
                        Enter();
                        UaBinaryReader inner = new(body, _limits) { _depth = _depth };
                        IEncodeable value = decoder(ref inner);
                        _depth--;
                        return new ExtensionObject(typeId, value);
                    }

                    return new ExtensionObject(typeId, new ReadOnlyMemory<byte>(body.ToArray()));
                }

            case 0x02:
                return new ExtensionObject(typeId, ReadXmlElement());
            default:
                throw new OpcUaProtocolException($"ExtensionObject encoding 0x{encoding:X2} is invalid.");
        }
    }

    /// <summary>
    /// §5.2.2.17: mask byte (0x01 Value, 0x02 StatusCode, 0x04 SourceTimestamp, 0x08 ServerTimestamp,
    /// 0x10 SourcePicoseconds, 0x20 ServerPicoseconds); fields in the order Value, Status, SourceTimestamp,
    /// SourcePicoseconds, ServerTimestamp, ServerPicoseconds.
    /// </summary>
    public DataValue ReadDataValue()
    {
        byte mask = ReadByte();
        if ((mask & 0xC0) != 0)
        {
            throw new OpcUaProtocolException($"DataValue mask 0x{mask:X2} has unknown bits.");
        }

        Enter();
        Variant value = (mask & 0x01) != 0 ? ReadVariant() : Variant.Null;
        StatusCode status = (mask & 0x02) != 0 ? ReadStatusCode() : StatusCode.Good;
        DateTime? source = (mask & 0x04) != 0 ? ReadDateTime() : null;
        ushort sourcePico = (mask & 0x10) != 0 ? ReadUInt16() : (ushort)0;
        DateTime? server = (mask & 0x08) != 0 ? ReadDateTime() : null;
        ushort serverPico = (mask & 0x20) != 0 ? ReadUInt16() : (ushort)0;
        _depth--;
        return new DataValue(value, status, source, server, sourcePico, serverPico);
    }

    /// <summary>
    /// §5.2.2.16: mask byte (bits 0-5 built-in type id, 0x80 array, 0x40 dimensions present); scalar, or Int32 length
    /// and elements, then (if 0x40) Int32 count and Int32 dimension lengths whose product equals the length.
    /// </summary>
    public Variant ReadVariant()
    {
        byte mask = ReadByte();
        if (mask == 0)
        {
            return Variant.Null;
        }

        int typeId = mask & 0x3F;
        if (typeId > (int)BuiltInType.DiagnosticInfo)
        {
            throw new OpcUaProtocolException($"Variant type id {typeId} is not a built-in type.");
        }

        BuiltInType type = (BuiltInType)typeId;
        bool isArray = (mask & 0x80) != 0;
        bool hasDims = (mask & 0x40) != 0;
        if (hasDims && !isArray)
        {
            throw new OpcUaProtocolException("Variant has dimensions but no array.");
        }

        Enter();
        Variant result;
        if (!isArray)
        {
            if (type == BuiltInType.Variant)
            {
                throw new OpcUaProtocolException("A Variant scalar cannot contain a Variant.");
            }

            result = Variant.IsInline(type) ? ReadInlineScalar(type) : new Variant(type, ReadScalar(type), false, null);
        }
        else
        {
            int length = ReadArrayLength();
            Array array = ReadArrayOf(type, Math.Max(length, 0));
            int[]? dims = null;
            if (hasDims)
            {
                int count = ReadArrayLength();
                if (count < 1)
                {
                    throw new OpcUaProtocolException("Variant matrix has no dimensions.");
                }

                dims = new int[count];
                long product = 1;
                for (int i = 0; i < count; i++)
                {
                    dims[i] = ReadInt32();
                    if (dims[i] < 0)
                    {
                        throw new OpcUaProtocolException("Variant matrix dimension is negative.");
                    }

                    product = Math.Min(product * dims[i], int.MaxValue + 1L);
                }

                if (product != array.Length)
                {
                    throw new OpcUaProtocolException($"Variant matrix dimensions multiply to {product}, array has {array.Length} elements.");
                }
            }

            result = new Variant(type, array, true, dims);
        }

        _depth--;
        return result;
    }

    /// <summary>An array length: -1 is null (returned as -1), above the limit or below -1 throws.</summary>
    public int ReadArrayLength()
    {
        int length = ReadInt32();
        if (length < -1)
        {
            throw new OpcUaProtocolException($"Array length {length} is invalid.");
        }

        if (length > _limits.MaxArrayLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"Array of {length} elements exceeds {_limits.MaxArrayLength}.");
        }

        // Every element takes at least one byte: a length beyond the bytes left is a lie, refused before allocating.
        if (length > Remaining)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, $"Array of {length} elements cannot fit in {Remaining} bytes.");
        }

        return length;
    }

    /// <summary>A numeric, Boolean, DateTime or StatusCode scalar straight into the Variant's inline bits (no boxing).</summary>
    private Variant ReadInlineScalar(BuiltInType type) => type switch
    {
        BuiltInType.Boolean => Variant.FromBits(type, ReadBoolean() ? 1 : 0),
        BuiltInType.SByte => Variant.FromBits(type, ReadSByte()),
        BuiltInType.Byte => Variant.FromBits(type, ReadByte()),
        BuiltInType.Int16 => Variant.FromBits(type, ReadInt16()),
        BuiltInType.UInt16 => Variant.FromBits(type, ReadUInt16()),
        BuiltInType.Int32 => Variant.FromBits(type, ReadInt32()),
        BuiltInType.UInt32 => Variant.FromBits(type, ReadUInt32()),
        BuiltInType.Int64 => Variant.FromBits(type, ReadInt64()),
        BuiltInType.UInt64 => Variant.FromBits(type, (long)ReadUInt64()),
        BuiltInType.Float => Variant.FromBits(type, BinaryPrimitives.ReadInt32LittleEndian(Take(4))),
        BuiltInType.Double => Variant.FromBits(type, BinaryPrimitives.ReadInt64LittleEndian(Take(8))),
        BuiltInType.DateTime => new Variant(ReadDateTime()),
        _ => Variant.FromBits(type, ReadUInt32()),
    };

    private object? ReadScalar(BuiltInType type) => type switch
    {
        BuiltInType.Boolean => ReadBoolean(),
        BuiltInType.SByte => ReadSByte(),
        BuiltInType.Byte => ReadByte(),
        BuiltInType.Int16 => ReadInt16(),
        BuiltInType.UInt16 => ReadUInt16(),
        BuiltInType.Int32 => ReadInt32(),
        BuiltInType.UInt32 => ReadUInt32(),
        BuiltInType.Int64 => ReadInt64(),
        BuiltInType.UInt64 => ReadUInt64(),
        BuiltInType.Float => ReadFloat(),
        BuiltInType.Double => ReadDouble(),
        BuiltInType.String => ReadString(),
        BuiltInType.DateTime => ReadDateTime(),
        BuiltInType.Guid => ReadGuid(),
        BuiltInType.ByteString => ReadByteString(),
        BuiltInType.XmlElement => ReadXmlElement(),
        BuiltInType.NodeId => ReadNodeId(),
        BuiltInType.ExpandedNodeId => ReadExpandedNodeId(),
        BuiltInType.StatusCode => ReadStatusCode(),
        BuiltInType.QualifiedName => ReadQualifiedName(),
        BuiltInType.LocalizedText => ReadLocalizedText(),
        BuiltInType.ExtensionObject => ReadExtensionObject(),
        BuiltInType.DataValue => ReadDataValue(),
        BuiltInType.Variant => ReadVariant(),
        BuiltInType.DiagnosticInfo => ReadDiagnosticInfo(),
        _ => throw new OpcUaProtocolException($"Type {type} cannot be a Variant element."),
    };

    private Array ReadArrayOf(BuiltInType type, int length)
    {
        switch (type)
        {
            case BuiltInType.Boolean: return Fill<bool>(length, type);
            case BuiltInType.SByte: return Fill<sbyte>(length, type);
            case BuiltInType.Byte: return Take(length).ToArray();
            case BuiltInType.Int16: return Fill<short>(length, type);
            case BuiltInType.UInt16: return Fill<ushort>(length, type);
            case BuiltInType.Int32: return Fill<int>(length, type);
            case BuiltInType.UInt32: return Fill<uint>(length, type);
            case BuiltInType.Int64: return Fill<long>(length, type);
            case BuiltInType.UInt64: return Fill<ulong>(length, type);
            case BuiltInType.Float: return Fill<float>(length, type);
            case BuiltInType.Double: return Fill<double>(length, type);
            case BuiltInType.String: return Fill<string?>(length, type);
            case BuiltInType.DateTime: return Fill<DateTime>(length, type);
            case BuiltInType.Guid: return Fill<Guid>(length, type);
            case BuiltInType.ByteString: return Fill<byte[]?>(length, type);
            case BuiltInType.XmlElement: return Fill<XmlElement>(length, type);
            case BuiltInType.NodeId: return Fill<NodeId>(length, type);
            case BuiltInType.ExpandedNodeId: return Fill<ExpandedNodeId>(length, type);
            case BuiltInType.StatusCode: return Fill<StatusCode>(length, type);
            case BuiltInType.QualifiedName: return Fill<QualifiedName>(length, type);
            case BuiltInType.LocalizedText: return Fill<LocalizedText>(length, type);
            case BuiltInType.ExtensionObject: return Fill<ExtensionObject>(length, type);
            case BuiltInType.DataValue: return Fill<DataValue>(length, type);
            case BuiltInType.Variant: return Fill<Variant>(length, type);
            case BuiltInType.DiagnosticInfo: return Fill<DiagnosticInfo?>(length, type);
            default:
                throw new OpcUaProtocolException($"Type {type} cannot be an array element.");
        }
    }

    private T[] Fill<T>(int length, BuiltInType type)
    {
        T[] array = new T[length];
        for (int i = 0; i < length; i++)
        {
            array[i] = (T)ReadScalar(type)!;
        }

        return array;
    }

    /// <summary>Reads an Int32-length-prefixed array of structures (null arrays read as empty).</summary>
    public T[] ReadArray<T>(ElementReader<T> read)
    {
        int length = ReadArrayLength();
        if (length <= 0)
        {
            return [];
        }

        T[] array = new T[length];
        for (int i = 0; i < length; i++)
        {
            array[i] = read(ref this);
        }

        return array;
    }

    public T ReadEncodeable<T>(EncodeableDecoder decoder)
        where T : IEncodeable
    {
        Enter();
        T value = (T)decoder(ref this);
        _depth--;
        return value;
    }

    private void Enter()
    {
        if (++_depth > _limits.MaxNestingDepth)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"Nesting deeper than {_limits.MaxNestingDepth}.");
        }
    }
}

/// <summary>Reads one element of an array.</summary>
internal delegate T ElementReader<T>(ref UaBinaryReader reader);
