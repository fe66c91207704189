using System.Buffers.Binary;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// The self-describing types: DiagnosticInfo, ExtensionObject, DataValue and Variant (OPC 10000-6 §5.2.2.12, §5.2.2.15,
/// §5.2.2.16, §5.2.2.17), with the scalars and arrays a Variant holds.
/// </summary>
internal ref partial struct UaBinaryReader
{
    /// <summary>
    /// §5.2.2.12: mask byte, then SymbolicId, NamespaceUri, Locale, LocalizedText (Int32 each), AdditionalInfo (String),
    /// InnerStatusCode, InnerDiagnosticInfo, each only if its bit (0x01, 0x02, 0x08, 0x04, 0x10, 0x20, 0x40) is set.
    /// </summary>
    public DiagnosticInfo? ReadDiagnosticInfo()
    {
        var mask = ReadByte();
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
        var info = (mask & 0x10) != 0 ? ReadString() : null;
        StatusCode? inner = (mask & 0x20) != 0 ? ReadStatusCode() : null;
        var innerInfo = (mask & 0x40) != 0 ? ReadDiagnosticInfo() ?? new DiagnosticInfo() : null;
        _depth--;
        return new DiagnosticInfo(symbolic, nsUri, locale, text, info, inner, innerInfo);
    }

    /// <summary>
    /// §5.2.2.15: TypeId NodeId, encoding byte (0x00 no body, 0x01 ByteString body, 0x02 XmlElement body), then the body
    /// as Int32 length + bytes. Known binary bodies are decoded within exactly their declared length.
    /// </summary>
    public ExtensionObject ReadExtensionObject()
    {
        var typeId = ReadNodeId();
        var encoding = ReadByte();
        switch (encoding)
        {
            case 0x00:
                return new ExtensionObject(typeId, null);
            case 0x01:
                {
                    var length = ReadInt32();
                    if (length < 0)
                    {
                        return new ExtensionObject(typeId, null);
                    }

                    if (length > _limits.MaxByteStringLength)
                    {
                        throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"ExtensionObject body of {length} bytes exceeds the limit.");
                    }

                    var body = Take(length);
                    if (typeId.NamespaceIndex == 0 && typeId.IdType == NodeIdType.Numeric && EncodeableTypes.TryGetDecoder(typeId.NumericIdentifier, out var decoder))
                    {
                        Enter();
                        UaBinaryReader inner = new(body, _limits) { _depth = _depth };
                        var value = decoder(ref inner);
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
        var mask = ReadByte();
        if ((mask & 0xC0) != 0)
        {
            throw new OpcUaProtocolException($"DataValue mask 0x{mask:X2} has unknown bits.");
        }

        Enter();
        var value = (mask & 0x01) != 0 ? ReadVariant() : Variant.Null;
        var status = (mask & 0x02) != 0 ? ReadStatusCode() : StatusCode.Good;
        DateTime? source = (mask & 0x04) != 0 ? ReadDateTime() : null;
        var sourcePico = (mask & 0x10) != 0 ? ReadUInt16() : (ushort)0;
        DateTime? server = (mask & 0x08) != 0 ? ReadDateTime() : null;
        var serverPico = (mask & 0x20) != 0 ? ReadUInt16() : (ushort)0;
        _depth--;
        return new DataValue(value, status, source, server, sourcePico, serverPico);
    }

    /// <summary>
    /// §5.2.2.16: mask byte (bits 0-5 built-in type id, 0x80 array, 0x40 dimensions present); scalar, or Int32 length
    /// and elements, then (if 0x40) Int32 count and Int32 dimension lengths whose product equals the length.
    /// </summary>
    public Variant ReadVariant()
    {
        var mask = ReadByte();
        if (mask == 0)
        {
            return Variant.Null;
        }

        var typeId = mask & 0x3F;
        if (typeId > (int)BuiltInType.DiagnosticInfo)
        {
            throw new OpcUaProtocolException($"Variant type id {typeId} is not a built-in type.");
        }

        var type = (BuiltInType)typeId;
        var isArray = (mask & 0x80) != 0;
        var hasDims = (mask & 0x40) != 0;
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
            var length = ReadArrayLength();
            var array = ReadArrayOf(type, Math.Max(length, 0));
            int[]? dims = null;
            if (hasDims)
            {
                var count = ReadArrayLength();
                if (count < 1)
                {
                    throw new OpcUaProtocolException("Variant matrix has no dimensions.");
                }

                dims = new int[count];
                long product = 1;
                for (var i = 0; i < count; i++)
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
        var array = new T[length];
        for (var i = 0; i < length; i++)
        {
            array[i] = (T)ReadScalar(type)!;
        }

        return array;
    }
}
