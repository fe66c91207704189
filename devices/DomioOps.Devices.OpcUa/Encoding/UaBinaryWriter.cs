using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// UA Binary encoder for the built-in types (OPC 10000-6 §5.2.2) into an <see cref="IBufferWriter{T}"/>.
/// The layouts are the mirror of <see cref="UaBinaryReader"/>; each method's comment there names its section.
/// </summary>
internal sealed class UaBinaryWriter
{
    /// <summary>Ticks from 0001-01-01 to 1601-01-01, the UA DateTime epoch.</summary>
    internal const long Epoch1601Ticks = 504911232000000000;

    private static readonly UTF8Encoding s_utf8 = new(false, false);
    private IBufferWriter<byte> _output;

    public UaBinaryWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    /// <summary>Points the writer at another buffer so one instance can serve many messages.</summary>
    public void Reset(IBufferWriter<byte> output) => _output = output;

    public long Written { get; private set; }

    private Span<byte> Get(int count) => _output.GetSpan(count);

    private void Advance(int count)
    {
        _output.Advance(count);
        Written += count;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteSByte(sbyte value) => WriteByte((byte)value);

    public void WriteByte(byte value)
    {
        Get(1)[0] = value;
        Advance(1);
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(Get(2), value);
        Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Get(2), value);
        Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteStatusCode(StatusCode value) => WriteUInt32(value.Code);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Get(bytes.Length));
        Advance(bytes.Length);
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        int count = s_utf8.GetByteCount(value);
        WriteInt32(count);
        Span<byte> span = Get(count);
        s_utf8.GetBytes(value, span);
        Advance(count);
    }

    public void WriteDateTime(DateTime value)
    {
        if (value == DateTime.MinValue || value.ToUniversalTime().Ticks <= Epoch1601Ticks)
        {
            WriteInt64(0);
            return;
        }

        if (value == DateTime.MaxValue)
        {
            WriteInt64(long.MaxValue);
            return;
        }

        WriteInt64(value.ToUniversalTime().Ticks - Epoch1601Ticks);
    }

    public void WriteGuid(Guid value)
    {
        _ = value.TryWriteBytes(Get(16));
        Advance(16);
    }

    public void WriteByteString(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteByteString(byte[]? value) => WriteByteString(value, value is null);

    public void WriteXmlElement(XmlElement value) => WriteString(value.Value);

    public void WriteNodeId(NodeId? value) => WriteNodeId(value ?? NodeId.Null, 0);

    private void WriteNodeId(NodeId value, byte flags)
    {
        switch (value.IdType)
        {
            case NodeIdType.Numeric:
                uint id = value.NumericIdentifier;
                if (value.NamespaceIndex == 0 && id <= byte.MaxValue)
                {
                    WriteByte(flags);
                    WriteByte((byte)id);
                }
                else if (value.NamespaceIndex <= byte.MaxValue && id <= ushort.MaxValue)
                {
                    WriteByte((byte)(0x01 | flags));
                    WriteByte((byte)value.NamespaceIndex);
                    WriteUInt16((ushort)id);
                }
                else
                {
                    WriteByte((byte)(0x02 | flags));
                    WriteUInt16(value.NamespaceIndex);
                    WriteUInt32(id);
                }

                break;
            case NodeIdType.String:
                WriteByte((byte)(0x03 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteString(value.StringIdentifier);
                break;
            case NodeIdType.Guid:
                WriteByte((byte)(0x04 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteGuid(value.GuidIdentifier);
                break;
            default:
                WriteByte((byte)(0x05 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteByteString(value.OpaqueIdentifier);
                break;
        }
    }

    public void WriteExpandedNodeId(ExpandedNodeId? value)
    {
        value ??= ExpandedNodeId.Null;
        byte flags = 0;
        if (value.NamespaceUri is not null)
        {
            flags |= 0x80;
        }

        if (value.ServerIndex != 0)
        {
            flags |= 0x40;
        }

        WriteNodeId(value.NodeId, flags);
        if (value.NamespaceUri is not null)
        {
            WriteString(value.NamespaceUri);
        }

        if (value.ServerIndex != 0)
        {
            WriteUInt32(value.ServerIndex);
        }
    }

    public void WriteQualifiedName(QualifiedName? value)
    {
        value ??= QualifiedName.Null;
        WriteUInt16(value.NamespaceIndex);
        WriteString(value.Name);
    }

    public void WriteLocalizedText(LocalizedText? value)
    {
        value ??= LocalizedText.Null;
        byte mask = (byte)((value.Locale is null ? 0 : 0x01) | (value.Text is null ? 0 : 0x02));
        WriteByte(mask);
        if (value.Locale is not null)
        {
            WriteString(value.Locale);
        }

        if (value.Text is not null)
        {
            WriteString(value.Text);
        }
    }

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

        byte mask = (byte)value.Type;
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
        Array array = (Array)value.Value!;
        WriteInt32(array.Length);
        if (value.Type == BuiltInType.Byte)
        {
            WriteRaw((byte[])array);
        }
        else
        {
            foreach (object? element in array)
            {
                WriteScalar(value.Type, element);
            }
        }

        if (value.ArrayDimensions is { } dims)
        {
            WriteInt32(dims.Count);
            foreach (int d in dims)
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

    /// <summary>Int32 length (-1 for null) then each element.</summary>
    public void WriteArray<T>(IReadOnlyList<T>? items, Action<UaBinaryWriter, T> write)
    {
        if (items is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            write(this, items[i]);
        }
    }
}
