namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>NodeId, ExpandedNodeId, QualifiedName and LocalizedText (OPC 10000-6 §5.2.2.9, §5.2.2.10, §5.2.2.13, §5.2.2.14).</summary>
internal sealed partial class UaBinaryWriter
{
    public void WriteNodeId(NodeId? value) => WriteNodeId(value ?? NodeId.Null, 0);

    private void WriteNodeId(NodeId value, byte flags)
    {
        switch (value.IdType)
        {
            case NodeIdType.Numeric:
                var id = value.NumericIdentifier;
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
        var mask = (byte)((value.Locale is null ? 0 : 0x01) | (value.Text is null ? 0 : 0x02));
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
}
