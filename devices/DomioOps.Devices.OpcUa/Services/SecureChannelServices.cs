using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>MessageSecurityMode (OPC 10000-4 §7.20).</summary>
public enum MessageSecurityMode
{
    Invalid = 0,
    None = 1,
    Sign = 2,
    SignAndEncrypt = 3,
}

/// <summary>SecurityTokenRequestType (OPC 10000-4 §5.5.2.2).</summary>
internal enum SecurityTokenRequestType
{
    Issue = 0,
    Renew = 1,
}

/// <summary>
/// OPC 10000-4 §5.5.2 OpenSecureChannel request: RequestHeader, ClientProtocolVersion UInt32,
/// RequestType Int32, SecurityMode Int32, ClientNonce ByteString, RequestedLifetime UInt32.
/// </summary>
internal sealed record OpenSecureChannelRequest(
    RequestHeader RequestHeader,
    uint ClientProtocolVersion,
    SecurityTokenRequestType RequestType,
    MessageSecurityMode SecurityMode,
    byte[]? ClientNonce,
    uint RequestedLifetime) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.OpenSecureChannelRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(ClientProtocolVersion);
        w.WriteInt32((int)RequestType);
        w.WriteInt32((int)SecurityMode);
        w.WriteByteString(ClientNonce);
        w.WriteUInt32(RequestedLifetime);
    }

    internal static OpenSecureChannelRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), (SecurityTokenRequestType)r.ReadInt32(), (MessageSecurityMode)r.ReadInt32(), r.ReadByteString(), r.ReadUInt32());
}

/// <summary>ChannelSecurityToken: ChannelId UInt32, TokenId UInt32, CreatedAt DateTime, RevisedLifetime UInt32 (ms).</summary>
internal sealed record ChannelSecurityToken(uint ChannelId, uint TokenId, DateTime CreatedAt, uint RevisedLifetime)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(ChannelId);
        w.WriteUInt32(TokenId);
        w.WriteDateTime(CreatedAt);
        w.WriteUInt32(RevisedLifetime);
    }

    internal static ChannelSecurityToken Decode(ref UaBinaryReader r) => new(r.ReadUInt32(), r.ReadUInt32(), r.ReadDateTime(), r.ReadUInt32());
}

/// <summary>OPC 10000-4 §5.5.2 OpenSecureChannel response: ResponseHeader, ServerProtocolVersion, SecurityToken, ServerNonce.</summary>
internal sealed record OpenSecureChannelResponse(
    ResponseHeader ResponseHeader,
    uint ServerProtocolVersion,
    ChannelSecurityToken SecurityToken,
    byte[]? ServerNonce) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.OpenSecureChannelResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteUInt32(ServerProtocolVersion);
        SecurityToken.Encode(w);
        w.WriteByteString(ServerNonce);
    }

    internal static OpenSecureChannelResponse Decode(ref UaBinaryReader r) =>
        new(ResponseHeader.Decode(ref r), r.ReadUInt32(), ChannelSecurityToken.Decode(ref r), r.ReadByteString());
}

/// <summary>OPC 10000-4 §5.5.3 CloseSecureChannel request: only a RequestHeader; no response is sent.</summary>
internal sealed record CloseSecureChannelRequest(RequestHeader RequestHeader) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CloseSecureChannelRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => RequestHeader.Encode(w);

    internal static CloseSecureChannelRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r));
}
