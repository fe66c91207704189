using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>ApplicationType (OPC 10000-4 §7.2).</summary>
public enum ApplicationType
{
    Server = 0,
    Client = 1,
    ClientAndServer = 2,
    DiscoveryServer = 3,
}

/// <summary>UserTokenType (OPC 10000-4 §7.43).</summary>
public enum UserTokenType
{
    Anonymous = 0,
    UserName = 1,
    Certificate = 2,
    IssuedToken = 3,
}

/// <summary>
/// OPC 10000-4 §7.2 ApplicationDescription: ApplicationUri, ProductUri, ApplicationName LocalizedText,
/// ApplicationType Int32, GatewayServerUri, DiscoveryProfileUri, DiscoveryUrls String[].
/// </summary>
public sealed record ApplicationDescription(
    string? ApplicationUri,
    string? ProductUri,
    LocalizedText ApplicationName,
    ApplicationType ApplicationType,
    string? GatewayServerUri = null,
    string? DiscoveryProfileUri = null,
    IReadOnlyList<string?>? DiscoveryUrls = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteString(ApplicationUri);
        w.WriteString(ProductUri);
        w.WriteLocalizedText(ApplicationName);
        w.WriteInt32((int)ApplicationType);
        w.WriteString(GatewayServerUri);
        w.WriteString(DiscoveryProfileUri);
        DiagnosticInfos.WriteStrings(w, DiscoveryUrls ?? []);
    }

    internal static ApplicationDescription Decode(ref UaBinaryReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadLocalizedText(), (ApplicationType)r.ReadInt32(), r.ReadString(), r.ReadString(), DiagnosticInfos.ReadStrings(ref r));
}

/// <summary>OPC 10000-4 §7.43 UserTokenPolicy: PolicyId, TokenType Int32, IssuedTokenType, IssuerEndpointUrl, SecurityPolicyUri.</summary>
public sealed record UserTokenPolicy(
    string? PolicyId,
    UserTokenType TokenType,
    string? IssuedTokenType = null,
    string? IssuerEndpointUrl = null,
    string? SecurityPolicyUri = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteString(PolicyId);
        w.WriteInt32((int)TokenType);
        w.WriteString(IssuedTokenType);
        w.WriteString(IssuerEndpointUrl);
        w.WriteString(SecurityPolicyUri);
    }

    internal static UserTokenPolicy Decode(ref UaBinaryReader r) =>
        new(r.ReadString(), (UserTokenType)r.ReadInt32(), r.ReadString(), r.ReadString(), r.ReadString());
}

/// <summary>
/// OPC 10000-4 §7.14 EndpointDescription: EndpointUrl, Server ApplicationDescription, ServerCertificate ByteString,
/// SecurityMode Int32, SecurityPolicyUri, UserIdentityTokens UserTokenPolicy[], TransportProfileUri, SecurityLevel Byte.
/// </summary>
public sealed record EndpointDescription(
    string? EndpointUrl,
    ApplicationDescription Server,
    ReadOnlyMemory<byte> ServerCertificate,
    MessageSecurityMode SecurityMode,
    string? SecurityPolicyUri,
    IReadOnlyList<UserTokenPolicy> UserIdentityTokens,
    string? TransportProfileUri,
    byte SecurityLevel)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteString(EndpointUrl);
        Server.Encode(w);
        w.WriteByteString(ServerCertificate.Span, ServerCertificate.IsEmpty);
        w.WriteInt32((int)SecurityMode);
        w.WriteString(SecurityPolicyUri);
        w.WriteArray(UserIdentityTokens, static (w, t) => t.Encode(w));
        w.WriteString(TransportProfileUri);
        w.WriteByte(SecurityLevel);
    }

    internal static EndpointDescription Decode(ref UaBinaryReader r) =>
        new(
            r.ReadString(),
            ApplicationDescription.Decode(ref r),
            r.ReadByteString(),
            (MessageSecurityMode)r.ReadInt32(),
            r.ReadString(),
            r.ReadArray(UserTokenPolicy.Decode),
            r.ReadString(),
            r.ReadByte());
}

/// <summary>OPC 10000-4 §5.4.4 GetEndpoints request: RequestHeader, EndpointUrl, LocaleIds String[], ProfileUris String[].</summary>
internal sealed record GetEndpointsRequest(RequestHeader RequestHeader, string? EndpointUrl, IReadOnlyList<string?> LocaleIds, IReadOnlyList<string?> ProfileUris) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.GetEndpointsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteString(EndpointUrl);
        DiagnosticInfos.WriteStrings(w, LocaleIds);
        DiagnosticInfos.WriteStrings(w, ProfileUris);
    }

    internal static GetEndpointsRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadString(), DiagnosticInfos.ReadStrings(ref r), DiagnosticInfos.ReadStrings(ref r));
}

/// <summary>OPC 10000-4 §5.4.4 GetEndpoints response: ResponseHeader, Endpoints EndpointDescription[].</summary>
internal sealed record GetEndpointsResponse(ResponseHeader ResponseHeader, IReadOnlyList<EndpointDescription> Endpoints) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.GetEndpointsResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Endpoints, static (w, e) => e.Encode(w));
    }

    internal static GetEndpointsResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r), r.ReadArray(EndpointDescription.Decode));
}
