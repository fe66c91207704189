using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>OPC 10000-4 §5.9.5 RegisterNodes request: RequestHeader, NodesToRegister NodeId[].</summary>
internal sealed record RegisterNodesRequest(RequestHeader RequestHeader, IReadOnlyList<NodeId> NodesToRegister) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.RegisterNodesRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(NodesToRegister, static (w, n) => w.WriteNodeId(n));
    }

    internal static RegisterNodesRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => r.ReadNodeId()));
}

/// <summary>OPC 10000-4 §5.9.5 RegisterNodes response: ResponseHeader, RegisteredNodeIds NodeId[].</summary>
internal sealed record RegisterNodesResponse(ResponseHeader ResponseHeader, IReadOnlyList<NodeId> RegisteredNodeIds) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.RegisterNodesResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(RegisteredNodeIds, static (w, n) => w.WriteNodeId(n));
    }

    internal static RegisterNodesResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => r.ReadNodeId()));
}

/// <summary>OPC 10000-4 §5.9.6 UnregisterNodes request: RequestHeader, NodesToUnregister NodeId[].</summary>
internal sealed record UnregisterNodesRequest(RequestHeader RequestHeader, IReadOnlyList<NodeId> NodesToUnregister) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.UnregisterNodesRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(NodesToUnregister, static (w, n) => w.WriteNodeId(n));
    }

    internal static UnregisterNodesRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => r.ReadNodeId()));
}

/// <summary>OPC 10000-4 §5.9.6 UnregisterNodes response: only a ResponseHeader.</summary>
internal sealed record UnregisterNodesResponse(ResponseHeader ResponseHeader) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.UnregisterNodesResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => ResponseHeader.Encode(w);

    internal static UnregisterNodesResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r));
}
