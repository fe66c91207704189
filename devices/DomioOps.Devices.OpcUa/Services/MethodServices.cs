using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>OPC 10000-4 §5.11.2 CallMethodRequest: ObjectId NodeId, MethodId NodeId, InputArguments Variant[].</summary>
public sealed record CallMethodRequest(NodeId ObjectId, NodeId MethodId, IReadOnlyList<Variant> InputArguments)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(ObjectId);
        w.WriteNodeId(MethodId);
        w.WriteArray(InputArguments, static (w, v) => w.WriteVariant(v));
    }

    internal static CallMethodRequest Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), r.ReadNodeId(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadVariant()));
}

/// <summary>
/// OPC 10000-4 §5.11.2 CallMethodResult: StatusCode, InputArgumentResults StatusCode[], InputArgumentDiagnosticInfos[],
/// OutputArguments Variant[].
/// </summary>
public sealed record CallMethodResult(StatusCode StatusCode, IReadOnlyList<StatusCode> InputArgumentResults, IReadOnlyList<Variant> OutputArguments)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(StatusCode);
        DiagnosticInfos.WriteStatusCodes(w, InputArgumentResults);
        DiagnosticInfos.WriteEmpty(w);
        w.WriteArray(OutputArguments, static (w, v) => w.WriteVariant(v));
    }

    internal static CallMethodResult Decode(ref UaBinaryReader r)
    {
        var status = r.ReadStatusCode();
        var inputs = DiagnosticInfos.ReadStatusCodes(ref r);
        DiagnosticInfos.Skip(ref r);
        return new CallMethodResult(status, inputs, r.ReadArray(static (ref UaBinaryReader r) => r.ReadVariant()));
    }
}

/// <summary>OPC 10000-4 §5.11.2 Call request: RequestHeader, MethodsToCall CallMethodRequest[].</summary>
internal sealed record CallRequest(RequestHeader RequestHeader, IReadOnlyList<CallMethodRequest> MethodsToCall) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CallRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(MethodsToCall, static (w, m) => m.Encode(w));
    }

    internal static CallRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadArray(CallMethodRequest.Decode));
}

/// <summary>OPC 10000-4 §5.11.2 Call response: ResponseHeader, Results CallMethodResult[], DiagnosticInfos[].</summary>
internal sealed record CallResponse(ResponseHeader ResponseHeader, IReadOnlyList<CallMethodResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.CallResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, m) => m.Encode(w));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static CallResponse Decode(ref UaBinaryReader r)
    {
        CallResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(CallMethodResult.Decode));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}
