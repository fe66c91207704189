using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>TimestampsToReturn (OPC 10000-4 §7.40).</summary>
public enum TimestampsToReturn
{
    Source = 0,
    Server = 1,
    Both = 2,
    Neither = 3,
    Invalid = 4,
}

/// <summary>OPC 10000-4 §7.29 ReadValueId: NodeId, AttributeId UInt32, IndexRange String, DataEncoding QualifiedName.</summary>
public sealed record ReadValueId(NodeId NodeId, AttributeId AttributeId = AttributeId.Value, string? IndexRange = null, QualifiedName? DataEncoding = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(NodeId);
        w.WriteUInt32((uint)AttributeId);
        w.WriteString(IndexRange);
        w.WriteQualifiedName(DataEncoding ?? QualifiedName.Null);
    }

    internal static ReadValueId Decode(ref UaBinaryReader r)
    {
        ReadValueId id = new(r.ReadNodeId(), (AttributeId)r.ReadUInt32(), r.ReadString());
        var encoding = r.ReadQualifiedName();
        return encoding.NamespaceIndex == 0 && encoding.Name is null ? id : id with { DataEncoding = encoding };
    }
}

/// <summary>OPC 10000-4 §5.10.2 Read request: RequestHeader, MaxAge Double, TimestampsToReturn Int32, NodesToRead ReadValueId[].</summary>
internal sealed record ReadRequest(RequestHeader RequestHeader, double MaxAge, TimestampsToReturn TimestampsToReturn, IReadOnlyList<ReadValueId> NodesToRead) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.ReadRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteDouble(MaxAge);
        w.WriteInt32((int)TimestampsToReturn);
        w.WriteArray(NodesToRead, static (w, n) => n.Encode(w));
    }

    internal static ReadRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadDouble(), (TimestampsToReturn)r.ReadInt32(), r.ReadArray(ReadValueId.Decode));
}

/// <summary>OPC 10000-4 §5.10.2 Read response: ResponseHeader, Results DataValue[], DiagnosticInfos[].</summary>
internal sealed record ReadResponse(ResponseHeader ResponseHeader, IReadOnlyList<DataValue> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.ReadResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, v) => w.WriteDataValue(v));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static ReadResponse Decode(ref UaBinaryReader r)
    {
        ReadResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => r.ReadDataValue()));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.10.4 WriteValue: NodeId, AttributeId UInt32, IndexRange String, Value DataValue.</summary>
public sealed record WriteValue(NodeId NodeId, AttributeId AttributeId, string? IndexRange, DataValue Value)
{
    public WriteValue(NodeId nodeId, Variant value)
        : this(nodeId, AttributeId.Value, null, new DataValue(value))
    {
    }

    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(NodeId);
        w.WriteUInt32((uint)AttributeId);
        w.WriteString(IndexRange);
        w.WriteDataValue(Value);
    }

    internal static WriteValue Decode(ref UaBinaryReader r) => new(r.ReadNodeId(), (AttributeId)r.ReadUInt32(), r.ReadString(), r.ReadDataValue());
}

/// <summary>OPC 10000-4 §5.10.4 Write request: RequestHeader, NodesToWrite WriteValue[].</summary>
internal sealed record WriteRequest(RequestHeader RequestHeader, IReadOnlyList<WriteValue> NodesToWrite) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.WriteRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(NodesToWrite, static (w, n) => n.Encode(w));
    }

    internal static WriteRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadArray(WriteValue.Decode));
}

/// <summary>OPC 10000-4 §5.10.4 Write response: ResponseHeader, Results StatusCode[], DiagnosticInfos[].</summary>
internal sealed record WriteResponse(ResponseHeader ResponseHeader, IReadOnlyList<StatusCode> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.WriteResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        DiagnosticInfos.WriteStatusCodes(w, Results);
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static WriteResponse Decode(ref UaBinaryReader r)
    {
        WriteResponse result = new(ResponseHeader.Decode(ref r), DiagnosticInfos.ReadStatusCodes(ref r));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}
