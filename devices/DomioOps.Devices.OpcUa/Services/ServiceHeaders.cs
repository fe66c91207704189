using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>A service request: it starts with a RequestHeader (OPC 10000-4 §7.32).</summary>
internal interface IServiceRequest : IEncodeable
{
    RequestHeader RequestHeader { get; }
}

/// <summary>A service response: it starts with a ResponseHeader (OPC 10000-4 §7.33).</summary>
internal interface IServiceResponse : IEncodeable
{
    ResponseHeader ResponseHeader { get; }
}

/// <summary>
/// OPC 10000-4 §7.32 RequestHeader: AuthenticationToken NodeId, Timestamp DateTime, RequestHandle UInt32,
/// ReturnDiagnostics UInt32, AuditEntryId String, TimeoutHint UInt32, AdditionalHeader ExtensionObject.
/// </summary>
public sealed record RequestHeader(
    NodeId AuthenticationToken,
    DateTime Timestamp,
    uint RequestHandle,
    uint ReturnDiagnostics = 0,
    string? AuditEntryId = null,
    uint TimeoutHint = 0,
    ExtensionObject? AdditionalHeader = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(AuthenticationToken);
        w.WriteDateTime(Timestamp);
        w.WriteUInt32(RequestHandle);
        w.WriteUInt32(ReturnDiagnostics);
        w.WriteString(AuditEntryId);
        w.WriteUInt32(TimeoutHint);
        w.WriteExtensionObject(AdditionalHeader);
    }

    internal static RequestHeader Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), r.ReadDateTime(), r.ReadUInt32(), r.ReadUInt32(), r.ReadString(), r.ReadUInt32(), r.ReadExtensionObject());
}

/// <summary>
/// OPC 10000-4 §7.33 ResponseHeader: Timestamp DateTime, RequestHandle UInt32, ServiceResult StatusCode,
/// ServiceDiagnostics DiagnosticInfo, StringTable String[], AdditionalHeader ExtensionObject.
/// </summary>
public sealed record ResponseHeader(
    DateTime Timestamp,
    uint RequestHandle,
    StatusCode ServiceResult = default,
    DiagnosticInfo? ServiceDiagnostics = null,
    IReadOnlyList<string?>? StringTable = null,
    ExtensionObject? AdditionalHeader = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteDateTime(Timestamp);
        w.WriteUInt32(RequestHandle);
        w.WriteStatusCode(ServiceResult);
        w.WriteDiagnosticInfo(ServiceDiagnostics);
        w.WriteArray(StringTable ?? [], static (w, s) => w.WriteString(s));
        w.WriteExtensionObject(AdditionalHeader);
    }

    internal static ResponseHeader Decode(ref UaBinaryReader r) =>
        new(r.ReadDateTime(), r.ReadUInt32(), r.ReadStatusCode(), r.ReadDiagnosticInfo(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadString()), r.ReadExtensionObject());

    internal static ResponseHeader For(RequestHeader request, DateTime now, StatusCode result = default) => new(now, request.RequestHandle, result);
}

/// <summary>OPC 10000-4 §7.35 ServiceFault: only a ResponseHeader whose ServiceResult is bad.</summary>
internal sealed record ServiceFault(ResponseHeader ResponseHeader) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.ServiceFault_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => ResponseHeader.Encode(w);

    internal static ServiceFault Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r));
}

/// <summary>Diagnostics arrays in responses are read and dropped; we always send them empty.</summary>
internal static class DiagnosticInfos
{
    public static void WriteEmpty(UaBinaryWriter w) => w.WriteInt32(0);

    public static void Skip(ref UaBinaryReader r) => r.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());

    public static void WriteStatusCodes(UaBinaryWriter w, IReadOnlyList<StatusCode> codes) => w.WriteArray(codes, static (w, c) => w.WriteStatusCode(c));

    public static StatusCode[] ReadStatusCodes(ref UaBinaryReader r) => r.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode());

    public static void WriteUInt32s(UaBinaryWriter w, IReadOnlyList<uint> values) => w.WriteArray(values, static (w, c) => w.WriteUInt32(c));

    public static uint[] ReadUInt32s(ref UaBinaryReader r) => r.ReadArray(static (ref UaBinaryReader r) => r.ReadUInt32());

    public static void WriteStrings(UaBinaryWriter w, IReadOnlyList<string?>? values) => w.WriteArray(values, static (w, c) => w.WriteString(c));

    public static string?[] ReadStrings(ref UaBinaryReader r) => r.ReadArray(static (ref UaBinaryReader r) => r.ReadString());
}
