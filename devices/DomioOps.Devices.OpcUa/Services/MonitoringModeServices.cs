using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>OPC 10000-4 §5.12.4 SetMonitoringMode request: RequestHeader, SubscriptionId, MonitoringMode Int32, MonitoredItemIds UInt32[].</summary>
internal sealed record SetMonitoringModeRequest(RequestHeader RequestHeader, uint SubscriptionId, MonitoringMode MonitoringMode, IReadOnlyList<uint> MonitoredItemIds) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.SetMonitoringModeRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteInt32((int)MonitoringMode);
        DiagnosticInfos.WriteUInt32s(w, MonitoredItemIds);
    }

    internal static SetMonitoringModeRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), (MonitoringMode)r.ReadInt32(), DiagnosticInfos.ReadUInt32s(ref r));
}

/// <summary>
/// OPC 10000-4 §5.12.5 SetTriggering request: RequestHeader, SubscriptionId, TriggeringItemId UInt32, LinksToAdd UInt32[],
/// LinksToRemove UInt32[].
/// </summary>
internal sealed record SetTriggeringRequest(RequestHeader RequestHeader, uint SubscriptionId, uint TriggeringItemId, IReadOnlyList<uint> LinksToAdd, IReadOnlyList<uint> LinksToRemove) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.SetTriggeringRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteUInt32(TriggeringItemId);
        DiagnosticInfos.WriteUInt32s(w, LinksToAdd);
        DiagnosticInfos.WriteUInt32s(w, LinksToRemove);
    }

    internal static SetTriggeringRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), r.ReadUInt32(), DiagnosticInfos.ReadUInt32s(ref r), DiagnosticInfos.ReadUInt32s(ref r));
}

/// <summary>
/// OPC 10000-4 §5.12.5 SetTriggering response: ResponseHeader, AddResults StatusCode[], AddDiagnosticInfos[],
/// RemoveResults StatusCode[], RemoveDiagnosticInfos[].
/// </summary>
internal sealed record SetTriggeringResponse(ResponseHeader ResponseHeader, IReadOnlyList<StatusCode> AddResults, IReadOnlyList<StatusCode> RemoveResults) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.SetTriggeringResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        DiagnosticInfos.WriteStatusCodes(w, AddResults);
        DiagnosticInfos.WriteEmpty(w);
        DiagnosticInfos.WriteStatusCodes(w, RemoveResults);
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static SetTriggeringResponse Decode(ref UaBinaryReader r)
    {
        var header = ResponseHeader.Decode(ref r);
        var added = DiagnosticInfos.ReadStatusCodes(ref r);
        DiagnosticInfos.Skip(ref r);
        var removed = DiagnosticInfos.ReadStatusCodes(ref r);
        DiagnosticInfos.Skip(ref r);
        return new(header, added, removed);
    }
}
