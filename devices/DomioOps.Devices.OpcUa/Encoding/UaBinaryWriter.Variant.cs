using System.Buffers;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// The self-describing types: DiagnosticInfo, ExtensionObject, DataValue and Variant (OPC 10000-6 §5.2.2.12, §5.2.2.15,
/// §5.2.2.16, §5.2.2.17), with the scalars a Variant holds.
/// </summary>
internal sealed partial class UaBinaryWriter
{
    public void WriteDiagnosticInfo(DiagnosticInfo? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }

        byte mask = 0;
        mask |= value.SymbolicId.HasValue ? (byte)0x01 : (byte)0;
        mask |= value.NamespaceUri.HasValue ? (byte)0x02 : (byte)0;
        mask |= value.LocalizedText.HasValue ? (byte)0x04 : (byte)0;
        mask |= value.Locale.HasValue ? (byte)0x08 : (byte)0;
        mask |= value.AdditionalInfo is not null ? (byte)0x10 : (byte)0;
        mask |= value.InnerStatusCode.HasValue ? (byte)0x20 : (byte)0;
        mask |= value.InnerDiagnosticInfo is not null ? (byte)0x40 : (byte)0;
        WriteByte(mask);
        if (value.SymbolicId is int symbolic)
        {
            WriteInt32(symbolic);
        }

        if (value.NamespaceUri is int ns)
        {
            WriteInt32(ns);
        }

        if (value.Locale is int locale)
        {
            WriteInt32(locale);
        }

        if (value.LocalizedText is int text)
        {
            WriteInt32(text);
        }

        if (value.AdditionalInfo is not null)
        {
            WriteString(value.AdditionalInfo);
        }

        if (value.InnerStatusCode is StatusCode inner)
        {
            WriteStatusCode(inner);
        }

        if (value.InnerDiagnosticInfo is not null)
        {
            WriteDiagnosticInfo(value.InnerDiagnosticInfo);
        }
    }

    public void WriteExtensionObject(ExtensionObject? value)
    {
        value ??= ExtensionObject.Null;
        switch (value.Body)
        {
            case null:
                WriteNodeId(value.TypeId);
                WriteByte(0x00);
                break;
            case IEncodeable encodeable:
                WriteEncodeableAsExtensionObject(encodeable);
                break;
            case ReadOnlyMemory<byte> raw:
                WriteNodeId(value.TypeId);
                WriteByte(0x01);
                WriteByteString(raw.Span);
                break;
            case byte[] raw:
                WriteNodeId(value.TypeId);
                WriteByte(0x01);
                WriteByteString(raw);
                break;
            case XmlElement xml:
                WriteNodeId(value.TypeId);
                WriteByte(0x02);
                WriteXmlElement(xml);
                break;
            default:
                throw new OpcUaException(StatusCode.BadEncodingError, $"ExtensionObject body {value.Body.GetType()} cannot be encoded.");
        }
    }

    /// <summary>Writes a structure as an ExtensionObject: its encoding id, 0x01, then Int32 length and the body.</summary>
    public void WriteEncodeableAsExtensionObject(IEncodeable? value)
    {
        if (value is null)
        {
            WriteByte(0);
            WriteByte(0);
            WriteByte(0);
            return;
        }

        WriteNodeId(new NodeId(0, value.BinaryEncodingId));
        WriteByte(0x01);
        ArrayBufferWriter<byte> body = new();
        value.Encode(new UaBinaryWriter(body));
        WriteByteString(body.WrittenSpan);
    }

    public void WriteDataValue(DataValue? value)
    {
        if (value is DataValue present)
        {
            WriteDataValue(present);
        }
        else
        {
            WriteByte(0);
        }
    }

    public void WriteDataValue(in DataValue value)
    {
        byte mask = 0;
        mask |= value.Value.IsNull ? (byte)0 : (byte)0x01;
        mask |= value.StatusCode == StatusCode.Good ? (byte)0 : (byte)0x02;
        mask |= value.SourceTimestamp.HasValue ? (byte)0x04 : (byte)0;
        mask |= value.ServerTimestamp.HasValue ? (byte)0x08 : (byte)0;
        mask |= value.SourcePicoseconds != 0 ? (byte)0x10 : (byte)0;
        mask |= value.ServerPicoseconds != 0 ? (byte)0x20 : (byte)0;
        WriteByte(mask);
        if (!value.Value.IsNull)
        {
            WriteVariant(value.Value);
        }

        if (value.StatusCode != StatusCode.Good)
        {
            WriteStatusCode(value.StatusCode);
        }

        if (value.SourceTimestamp is DateTime source)
        {
            WriteDateTime(source);
        }

        if (value.SourcePicoseconds != 0)
        {
            WriteUInt16(value.SourcePicoseconds);
        }

        if (value.ServerTimestamp is DateTime server)
        {
            WriteDateTime(server);
        }

        if (value.ServerPicoseconds != 0)
        {
            WriteUInt16(value.ServerPicoseconds);
        }
    }

    public void WriteVariant(Variant value)
    {
        if (value.IsNull)
        {
            WriteByte(0);
            return;
        }

        var mask = (byte)value.Type;
        if (!value.IsArray)
        {
            if (value.Type == BuiltInType.Variant)
            {
                throw new OpcUaException(StatusCode.BadEncodingError, "A Variant scalar cannot contain a Variant.");
            }

            WriteByte(mask);
            if (Variant.IsInline(value.Type))
            {
                WriteInlineScalar(value.Type, value.Bits);
            }
            else
            {
                WriteScalar(value.Type, value.Value);
            }

            return;
        }

        mask |= 0x80;
        if (value.ArrayDimensions is not null)
        {
            mask |= 0x40;
        }

        WriteByte(mask);
        var array = (Array)value.Value!;
        WriteInt32(array.Length);
        if (value.Type == BuiltInType.Byte)
        {
            WriteRaw((byte[])array);
        }
        else
        {
            foreach (var element in array)
            {
                WriteScalar(value.Type, element);
            }
        }

        if (value.ArrayDimensions is { } dims)
        {
            WriteInt32(dims.Count);
            foreach (var d in dims)
            {
                WriteInt32(d);
            }
        }
    }

    /// <summary>A scalar held inline in a <see cref="Variant"/>, written from its bits (no boxing).</summary>
    private void WriteInlineScalar(BuiltInType type, long bits)
    {
        switch (type)
        {
            case BuiltInType.Boolean: WriteBoolean(bits != 0); break;
            case BuiltInType.SByte: WriteSByte((sbyte)bits); break;
            case BuiltInType.Byte: WriteByte((byte)bits); break;
            case BuiltInType.Int16: WriteInt16((short)bits); break;
            case BuiltInType.UInt16: WriteUInt16((ushort)bits); break;
            case BuiltInType.Int32: WriteInt32((int)bits); break;
            case BuiltInType.UInt32: WriteUInt32((uint)bits); break;
            case BuiltInType.Int64: WriteInt64(bits); break;
            case BuiltInType.UInt64: WriteUInt64((ulong)bits); break;
            case BuiltInType.Float: WriteFloat(BitConverter.Int32BitsToSingle((int)bits)); break;
            case BuiltInType.Double: WriteDouble(BitConverter.Int64BitsToDouble(bits)); break;
            case BuiltInType.DateTime: WriteDateTime(Variant.FromBits(type, bits).AsDateTime()); break;
            case BuiltInType.StatusCode: WriteUInt32((uint)bits); break;
            default: throw new OpcUaException(StatusCode.BadEncodingError, $"Type {type} is not held inline.");
        }
    }

    private void WriteScalar(BuiltInType type, object? value)
    {
        switch (type)
        {
            case BuiltInType.Boolean: WriteBoolean((bool)value!); break;
            case BuiltInType.SByte: WriteSByte((sbyte)value!); break;
            case BuiltInType.Byte: WriteByte((byte)value!); break;
            case BuiltInType.Int16: WriteInt16((short)value!); break;
            case BuiltInType.UInt16: WriteUInt16((ushort)value!); break;
            case BuiltInType.Int32: WriteInt32((int)value!); break;
            case BuiltInType.UInt32: WriteUInt32((uint)value!); break;
            case BuiltInType.Int64: WriteInt64((long)value!); break;
            case BuiltInType.UInt64: WriteUInt64((ulong)value!); break;
            case BuiltInType.Float: WriteFloat((float)value!); break;
            case BuiltInType.Double: WriteDouble((double)value!); break;
            case BuiltInType.String: WriteString((string?)value); break;
            case BuiltInType.DateTime: WriteDateTime((DateTime)value!); break;
            case BuiltInType.Guid: WriteGuid((Guid)value!); break;
            case BuiltInType.ByteString: WriteByteString((byte[]?)value); break;
            case BuiltInType.XmlElement: WriteXmlElement((XmlElement)value!); break;
            case BuiltInType.NodeId: WriteNodeId((NodeId?)value); break;
            case BuiltInType.ExpandedNodeId: WriteExpandedNodeId((ExpandedNodeId?)value); break;
            case BuiltInType.StatusCode: WriteStatusCode((StatusCode)value!); break;
            case BuiltInType.QualifiedName: WriteQualifiedName((QualifiedName?)value); break;
            case BuiltInType.LocalizedText: WriteLocalizedText((LocalizedText?)value); break;
            case BuiltInType.ExtensionObject: WriteExtensionObject((ExtensionObject?)value); break;
            case BuiltInType.DataValue: WriteDataValue((DataValue?)value); break;
            case BuiltInType.Variant: WriteVariant((Variant)value!); break;
            case BuiltInType.DiagnosticInfo: WriteDiagnosticInfo((DiagnosticInfo?)value); break;
            default: throw new OpcUaException(StatusCode.BadEncodingError, $"Type {type} cannot be encoded in a Variant.");
        }
    }
}
