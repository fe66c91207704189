using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>OPC 10000-4 §7.37 SignatureData: Algorithm String, Signature ByteString.</summary>
internal sealed record SignatureData(string? Algorithm, byte[]? Signature)
{
    public static readonly SignatureData Empty = new(null, null);

    internal void Encode(UaBinaryWriter w)
    {
        w.WriteString(Algorithm);
        w.WriteByteString(Signature);
    }

    internal static SignatureData Decode(ref UaBinaryReader r) => new(r.ReadString(), r.ReadByteString());
}

/// <summary>OPC 10000-4 §7.38 SignedSoftwareCertificate: CertificateData ByteString, Signature ByteString (read and ignored).</summary>
internal static class SignedSoftwareCertificates
{
    public static void Skip(ref UaBinaryReader r) => r.ReadArray(static (ref UaBinaryReader r) => (r.ReadByteString(), r.ReadByteString()));
}

/// <summary>
/// OPC 10000-4 §5.6.2 CreateSession request: RequestHeader, ClientDescription, ServerUri, EndpointUrl, SessionName,
/// ClientNonce ByteString, ClientCertificate ByteString, RequestedSessionTimeout Double, MaxResponseMessageSize UInt32.
/// </summary>
internal sealed record CreateSessionRequest(
    RequestHeader RequestHeader,
    ApplicationDescription ClientDescription,
    string? ServerUri,
    string? EndpointUrl,
    string? SessionName,
    byte[]? ClientNonce,
    byte[]? ClientCertificate,
    double RequestedSessionTimeout,
    uint MaxResponseMessageSize) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateSessionRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        ClientDescription.Encode(w);
        w.WriteString(ServerUri);
        w.WriteString(EndpointUrl);
        w.WriteString(SessionName);
        w.WriteByteString(ClientNonce);
        w.WriteByteString(ClientCertificate);
        w.WriteDouble(RequestedSessionTimeout);
        w.WriteUInt32(MaxResponseMessageSize);
    }

    internal static CreateSessionRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), ApplicationDescription.Decode(ref r), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadByteString(), r.ReadByteString(), r.ReadDouble(), r.ReadUInt32());
}

/// <summary>
/// OPC 10000-4 §5.6.2 CreateSession response: ResponseHeader, SessionId NodeId, AuthenticationToken NodeId,
/// RevisedSessionTimeout Double, ServerNonce, ServerCertificate, ServerEndpoints EndpointDescription[],
/// ServerSoftwareCertificates SignedSoftwareCertificate[], ServerSignature SignatureData, MaxRequestMessageSize UInt32.
/// </summary>
internal sealed record CreateSessionResponse(
    ResponseHeader ResponseHeader,
    NodeId SessionId,
    NodeId AuthenticationToken,
    double RevisedSessionTimeout,
    byte[]? ServerNonce,
    byte[]? ServerCertificate,
    IReadOnlyList<EndpointDescription> ServerEndpoints,
    SignatureData ServerSignature,
    uint MaxRequestMessageSize) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateSessionResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteNodeId(SessionId);
        w.WriteNodeId(AuthenticationToken);
        w.WriteDouble(RevisedSessionTimeout);
        w.WriteByteString(ServerNonce);
        w.WriteByteString(ServerCertificate);
        w.WriteArray(ServerEndpoints, static (w, e) => e.Encode(w));
        w.WriteInt32(0);
        ServerSignature.Encode(w);
        w.WriteUInt32(MaxRequestMessageSize);
    }

    internal static CreateSessionResponse Decode(ref UaBinaryReader r)
    {
        var header = ResponseHeader.Decode(ref r);
        var sessionId = r.ReadNodeId();
        var token = r.ReadNodeId();
        var timeout = r.ReadDouble();
        var nonce = r.ReadByteString();
        var cert = r.ReadByteString();
        var endpoints = r.ReadArray(EndpointDescription.Decode);
        SignedSoftwareCertificates.Skip(ref r);
        return new(header, sessionId, token, timeout, nonce, cert, endpoints, SignatureData.Decode(ref r), r.ReadUInt32());
    }
}

/// <summary>OPC 10000-4 §7.41.3 AnonymousIdentityToken: PolicyId String.</summary>
internal sealed record AnonymousIdentityToken(string? PolicyId) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.AnonymousIdentityToken_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => w.WriteString(PolicyId);

    internal static AnonymousIdentityToken Decode(ref UaBinaryReader r) => new(r.ReadString());
}

/// <summary>OPC 10000-4 §7.41.4 UserNameIdentityToken: PolicyId, UserName String, Password ByteString, EncryptionAlgorithm String.</summary>
internal sealed record UserNameIdentityToken(string? PolicyId, string? UserName, byte[]? Password, string? EncryptionAlgorithm) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.UserNameIdentityToken_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        w.WriteString(PolicyId);
        w.WriteString(UserName);
        w.WriteByteString(Password);
        w.WriteString(EncryptionAlgorithm);
    }

    internal static UserNameIdentityToken Decode(ref UaBinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadByteString(), r.ReadString());
}

/// <summary>
/// OPC 10000-4 §5.6.3 ActivateSession request: RequestHeader, ClientSignature SignatureData, ClientSoftwareCertificates[],
/// LocaleIds String[], UserIdentityToken ExtensionObject, UserTokenSignature SignatureData.
/// </summary>
internal sealed record ActivateSessionRequest(
    RequestHeader RequestHeader,
    SignatureData ClientSignature,
    IReadOnlyList<string?> LocaleIds,
    ExtensionObject UserIdentityToken,
    SignatureData UserTokenSignature) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.ActivateSessionRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        ClientSignature.Encode(w);
        w.WriteInt32(0);
        DiagnosticInfos.WriteStrings(w, LocaleIds);
        w.WriteExtensionObject(UserIdentityToken);
        UserTokenSignature.Encode(w);
    }

    internal static ActivateSessionRequest Decode(ref UaBinaryReader r)
    {
        var header = RequestHeader.Decode(ref r);
        var signature = SignatureData.Decode(ref r);
        SignedSoftwareCertificates.Skip(ref r);
        return new(header, signature, DiagnosticInfos.ReadStrings(ref r), r.ReadExtensionObject(), SignatureData.Decode(ref r));
    }
}

/// <summary>OPC 10000-4 §5.6.3 ActivateSession response: ResponseHeader, ServerNonce, Results StatusCode[], DiagnosticInfos[].</summary>
internal sealed record ActivateSessionResponse(ResponseHeader ResponseHeader, byte[]? ServerNonce, IReadOnlyList<StatusCode> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.ActivateSessionResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteByteString(ServerNonce);
        DiagnosticInfos.WriteStatusCodes(w, Results);
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static ActivateSessionResponse Decode(ref UaBinaryReader r)
    {
        ActivateSessionResponse result = new(ResponseHeader.Decode(ref r), r.ReadByteString(), DiagnosticInfos.ReadStatusCodes(ref r));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.6.4 CloseSession request: RequestHeader, DeleteSubscriptions Boolean.</summary>
internal sealed record CloseSessionRequest(RequestHeader RequestHeader, bool DeleteSubscriptions) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CloseSessionRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteBoolean(DeleteSubscriptions);
    }

    internal static CloseSessionRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadBoolean());
}

/// <summary>OPC 10000-4 §5.6.4 CloseSession response: ResponseHeader.</summary>
internal sealed record CloseSessionResponse(ResponseHeader ResponseHeader) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.CloseSessionResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => ResponseHeader.Encode(w);

    internal static CloseSessionResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r));
}
