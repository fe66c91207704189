using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>BrowseDirection (OPC 10000-4 §7.5).</summary>
public enum BrowseDirection
{
    Forward = 0,
    Inverse = 1,
    Both = 2,
}

/// <summary>
/// OPC 10000-4 §5.9.2 BrowseDescription: NodeId, BrowseDirection Int32, ReferenceTypeId NodeId, IncludeSubtypes Boolean,
/// NodeClassMask UInt32, ResultMask UInt32.
/// </summary>
public sealed record BrowseDescription(
    NodeId NodeId,
    BrowseDirection BrowseDirection = BrowseDirection.Forward,
    NodeId? ReferenceTypeId = null,
    bool IncludeSubtypes = true,
    uint NodeClassMask = 0,
    uint ResultMask = 0x3F)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(NodeId);
        w.WriteInt32((int)BrowseDirection);
        w.WriteNodeId(ReferenceTypeId ?? NodeId.Null);
        w.WriteBoolean(IncludeSubtypes);
        w.WriteUInt32(NodeClassMask);
        w.WriteUInt32(ResultMask);
    }

    internal static BrowseDescription Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), (BrowseDirection)r.ReadInt32(), r.ReadNodeId(), r.ReadBoolean(), r.ReadUInt32(), r.ReadUInt32());
}

/// <summary>
/// OPC 10000-4 §7.30 ReferenceDescription: ReferenceTypeId NodeId, IsForward Boolean, NodeId ExpandedNodeId,
/// BrowseName QualifiedName, DisplayName LocalizedText, NodeClass Int32, TypeDefinition ExpandedNodeId.
/// </summary>
public sealed record ReferenceDescription(
    NodeId ReferenceTypeId,
    bool IsForward,
    ExpandedNodeId NodeId,
    QualifiedName BrowseName,
    LocalizedText DisplayName,
    NodeClass NodeClass,
    ExpandedNodeId TypeDefinition)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(ReferenceTypeId);
        w.WriteBoolean(IsForward);
        w.WriteExpandedNodeId(NodeId);
        w.WriteQualifiedName(BrowseName);
        w.WriteLocalizedText(DisplayName);
        w.WriteInt32((int)NodeClass);
        w.WriteExpandedNodeId(TypeDefinition);
    }

    internal static ReferenceDescription Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), r.ReadBoolean(), r.ReadExpandedNodeId(), r.ReadQualifiedName(), r.ReadLocalizedText(), (NodeClass)r.ReadInt32(), r.ReadExpandedNodeId());
}

/// <summary>OPC 10000-4 §7.6 BrowseResult: StatusCode, ContinuationPoint ByteString, References ReferenceDescription[].</summary>
public sealed record BrowseResult(StatusCode StatusCode, byte[]? ContinuationPoint, IReadOnlyList<ReferenceDescription> References)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(StatusCode);
        w.WriteByteString(ContinuationPoint);
        w.WriteArray(References, static (w, d) => d.Encode(w));
    }

    internal static BrowseResult Decode(ref UaBinaryReader r) => new(r.ReadStatusCode(), r.ReadByteString(), r.ReadArray(ReferenceDescription.Decode));
}

/// <summary>
/// OPC 10000-4 §5.9.2 Browse request: RequestHeader, View ViewDescription (ViewId NodeId, Timestamp DateTime,
/// ViewVersion UInt32), RequestedMaxReferencesPerNode UInt32, NodesToBrowse BrowseDescription[].
/// </summary>
internal sealed record BrowseRequest(RequestHeader RequestHeader, uint RequestedMaxReferencesPerNode, IReadOnlyList<BrowseDescription> NodesToBrowse) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.BrowseRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteNodeId(NodeId.Null);
        w.WriteDateTime(DateTime.MinValue);
        w.WriteUInt32(0);
        w.WriteUInt32(RequestedMaxReferencesPerNode);
        w.WriteArray(NodesToBrowse, static (w, d) => d.Encode(w));
    }

    internal static BrowseRequest Decode(ref UaBinaryReader r)
    {
        var header = RequestHeader.Decode(ref r);
        _ = r.ReadNodeId();
        _ = r.ReadDateTime();
        _ = r.ReadUInt32();
        return new(header, r.ReadUInt32(), r.ReadArray(BrowseDescription.Decode));
    }
}

/// <summary>OPC 10000-4 §5.9.2 Browse response: ResponseHeader, Results BrowseResult[], DiagnosticInfos[].</summary>
internal sealed record BrowseResponse(ResponseHeader ResponseHeader, IReadOnlyList<BrowseResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.BrowseResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, b) => b.Encode(w));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static BrowseResponse Decode(ref UaBinaryReader r)
    {
        BrowseResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(BrowseResult.Decode));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.9.3 BrowseNext request: RequestHeader, ReleaseContinuationPoints Boolean, ContinuationPoints ByteString[].</summary>
internal sealed record BrowseNextRequest(RequestHeader RequestHeader, bool ReleaseContinuationPoints, IReadOnlyList<byte[]?> ContinuationPoints) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.BrowseNextRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteBoolean(ReleaseContinuationPoints);
        w.WriteArray(ContinuationPoints, static (w, c) => w.WriteByteString(c));
    }

    internal static BrowseNextRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadBoolean(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadByteString()));
}

/// <summary>OPC 10000-4 §5.9.3 BrowseNext response: ResponseHeader, Results BrowseResult[], DiagnosticInfos[].</summary>
internal sealed record BrowseNextResponse(ResponseHeader ResponseHeader, IReadOnlyList<BrowseResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.BrowseNextResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, b) => b.Encode(w));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static BrowseNextResponse Decode(ref UaBinaryReader r)
    {
        BrowseNextResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(BrowseResult.Decode));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §7.31 RelativePathElement: ReferenceTypeId NodeId, IsInverse Boolean, IncludeSubtypes Boolean, TargetName QualifiedName.</summary>
public sealed record RelativePathElement(NodeId ReferenceTypeId, bool IsInverse, bool IncludeSubtypes, QualifiedName TargetName)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(ReferenceTypeId);
        w.WriteBoolean(IsInverse);
        w.WriteBoolean(IncludeSubtypes);
        w.WriteQualifiedName(TargetName);
    }

    internal static RelativePathElement Decode(ref UaBinaryReader r) => new(r.ReadNodeId(), r.ReadBoolean(), r.ReadBoolean(), r.ReadQualifiedName());
}

/// <summary>OPC 10000-4 §5.9.4 BrowsePath: StartingNode NodeId, RelativePath (Elements RelativePathElement[]).</summary>
public sealed record BrowsePath(NodeId StartingNode, IReadOnlyList<RelativePathElement> RelativePath)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(StartingNode);
        w.WriteArray(RelativePath, static (w, e) => e.Encode(w));
    }

    internal static BrowsePath Decode(ref UaBinaryReader r) => new(r.ReadNodeId(), r.ReadArray(RelativePathElement.Decode));
}

/// <summary>OPC 10000-4 §5.9.4 BrowsePathTarget: TargetId ExpandedNodeId, RemainingPathIndex UInt32.</summary>
public sealed record BrowsePathTarget(ExpandedNodeId TargetId, uint RemainingPathIndex)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteExpandedNodeId(TargetId);
        w.WriteUInt32(RemainingPathIndex);
    }

    internal static BrowsePathTarget Decode(ref UaBinaryReader r) => new(r.ReadExpandedNodeId(), r.ReadUInt32());
}

/// <summary>OPC 10000-4 §5.9.4 BrowsePathResult: StatusCode, Targets BrowsePathTarget[].</summary>
public sealed record BrowsePathResult(StatusCode StatusCode, IReadOnlyList<BrowsePathTarget> Targets)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(StatusCode);
        w.WriteArray(Targets, static (w, t) => t.Encode(w));
    }

    internal static BrowsePathResult Decode(ref UaBinaryReader r) => new(r.ReadStatusCode(), r.ReadArray(BrowsePathTarget.Decode));
}

/// <summary>OPC 10000-4 §5.9.4 TranslateBrowsePathsToNodeIds request: RequestHeader, BrowsePaths BrowsePath[].</summary>
internal sealed record TranslateBrowsePathsRequest(RequestHeader RequestHeader, IReadOnlyList<BrowsePath> BrowsePaths) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.TranslateBrowsePathsToNodeIdsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(BrowsePaths, static (w, p) => p.Encode(w));
    }

    internal static TranslateBrowsePathsRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadArray(BrowsePath.Decode));
}

/// <summary>OPC 10000-4 §5.9.4 TranslateBrowsePathsToNodeIds response: ResponseHeader, Results BrowsePathResult[], DiagnosticInfos[].</summary>
internal sealed record TranslateBrowsePathsResponse(ResponseHeader ResponseHeader, IReadOnlyList<BrowsePathResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.TranslateBrowsePathsToNodeIdsResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, p) => p.Encode(w));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static TranslateBrowsePathsResponse Decode(ref UaBinaryReader r)
    {
        TranslateBrowsePathsResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(BrowsePathResult.Decode));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}
