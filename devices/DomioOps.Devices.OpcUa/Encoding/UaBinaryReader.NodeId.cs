namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>NodeId, ExpandedNodeId, QualifiedName and LocalizedText (OPC 10000-6 §5.2.2.9, §5.2.2.10, §5.2.2.13, §5.2.2.14).</summary>
internal ref partial struct UaBinaryReader
{
    /// <summary>
    /// §5.2.2.9, Table 7: an encoding byte then the id. 0x00 two-byte (Byte id), 0x01 four-byte (Byte ns, UInt16 id),
    /// 0x02 numeric (UInt16 ns, UInt32 id), 0x03 string, 0x04 guid, 0x05 opaque (UInt16 ns then the value).
    /// </summary>
    public NodeId ReadNodeId()
    {
        var encoding = ReadByte();
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
                    var ns = ReadByte();
                    return new NodeId(ns, ReadUInt16());
                }

            case 0x02:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadUInt32());
                }

            case 0x03:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadString() ?? string.Empty);
                }

            case 0x04:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadGuid());
                }

            case 0x05:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadByteString());
                }

            default:
                throw new OpcUaProtocolException($"Unknown NodeId encoding 0x{encoding:X2}.");
        }
    }

    /// <summary>§5.2.2.10: a NodeId whose encoding byte may carry 0x80 (NamespaceUri String follows) and 0x40 (ServerIndex UInt32 follows).</summary>
    public ExpandedNodeId ReadExpandedNodeId()
    {
        var encoding = ReadByte();
        var nodeId = ReadNodeIdBody(encoding);
        var uri = (encoding & 0x80) != 0 ? ReadString() : null;
        var serverIndex = (encoding & 0x40) != 0 ? ReadUInt32() : 0;
        return new ExpandedNodeId(nodeId, uri, serverIndex);
    }

    /// <summary>§5.2.2.13: UInt16 namespace index, String name.</summary>
    public QualifiedName ReadQualifiedName()
    {
        var ns = ReadUInt16();
        return new QualifiedName(ns, ReadString());
    }

    /// <summary>§5.2.2.14: mask byte (0x01 locale, 0x02 text) then the present fields.</summary>
    public LocalizedText ReadLocalizedText()
    {
        var mask = ReadByte();
        if ((mask & 0xFC) != 0)
        {
            throw new OpcUaProtocolException($"LocalizedText mask 0x{mask:X2} has unknown bits.");
        }

        var locale = (mask & 0x01) != 0 ? ReadString() : null;
        var text = (mask & 0x02) != 0 ? ReadString() : null;
        return new LocalizedText(locale, text);
    }
}
