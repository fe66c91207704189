using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>OPC 10000-4 §5.13.7 TransferSubscriptions request: RequestHeader, SubscriptionIds UInt32[], SendInitialValues Boolean.</summary>
internal sealed record TransferSubscriptionsRequest(RequestHeader RequestHeader, IReadOnlyList<uint> SubscriptionIds, bool SendInitialValues) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.TransferSubscriptionsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        DiagnosticInfos.WriteUInt32s(w, SubscriptionIds);
        w.WriteBoolean(SendInitialValues);
    }

    internal static TransferSubscriptionsRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), DiagnosticInfos.ReadUInt32s(ref r), r.ReadBoolean());
}

/// <summary>OPC 10000-4 §7.41 TransferResult: StatusCode, AvailableSequenceNumbers UInt32[] (still in the retransmission queue).</summary>
internal sealed record TransferResult(StatusCode StatusCode, IReadOnlyList<uint> AvailableSequenceNumbers);

/// <summary>OPC 10000-4 §5.13.7 TransferSubscriptions response: ResponseHeader, Results TransferResult[], DiagnosticInfos[].</summary>
internal sealed record TransferSubscriptionsResponse(ResponseHeader ResponseHeader, IReadOnlyList<TransferResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.TransferSubscriptionsResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, t) =>
        {
            w.WriteStatusCode(t.StatusCode);
            DiagnosticInfos.WriteUInt32s(w, t.AvailableSequenceNumbers);
        });
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static TransferSubscriptionsResponse Decode(ref UaBinaryReader r)
    {
        TransferSubscriptionsResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => new TransferResult(r.ReadStatusCode(), DiagnosticInfos.ReadUInt32s(ref r))));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}
