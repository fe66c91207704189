using System.Buffers;
using System.Buffers.Binary;

using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>The three-letter message types of UA TCP and UA Secure Conversation (OPC 10000-6 §7.1.2.2, §6.7.2.2).</summary>
internal static class MessageTypes
{
    public const uint Hello = 'H' | ('E' << 8) | ('L' << 16);
    public const uint Acknowledge = 'A' | ('C' << 8) | ('K' << 16);
    public const uint Error = 'E' | ('R' << 8) | ('R' << 16);
    public const uint ReverseHello = 'R' | ('H' << 8) | ('E' << 16);
    public const uint Message = 'M' | ('S' << 8) | ('G' << 16);
    public const uint Open = 'O' | ('P' << 8) | ('N' << 16);
    public const uint Close = 'C' | ('L' << 8) | ('O' << 16);

    public const byte Final = (byte)'F';
    public const byte Intermediate = (byte)'C';
    public const byte Abort = (byte)'A';

    public static bool IsSecureConversation(uint type) => type is Message or Open or Close;
}

/// <summary>The buffer sizes and message limits of one direction of a connection (OPC 10000-6 §7.1.2.3).</summary>
public sealed record TransportLimits(uint ReceiveBufferSize = 65535, uint SendBufferSize = 65535, uint MaxMessageSize = 16 * 1024 * 1024, uint MaxChunkCount = 512)
{
    /// <summary>The smallest buffer a UA TCP peer may offer (OPC 10000-6 §7.1.2.3).</summary>
    public const uint MinBufferSize = 8192;

    public static readonly TransportLimits Default = new();
}

/// <summary>
/// OPC 10000-6 §7.1.2.2 message header: MessageType 3 bytes ASCII, ChunkType 1 byte ('F', 'C', 'A'),
/// MessageSize UInt32 counting the whole chunk including these 8 bytes.
/// </summary>
internal readonly record struct UaTcpHeader(uint MessageType, byte ChunkType, uint MessageSize)
{
    public const int Size = 8;

    public static void Write(Span<byte> destination, uint messageType, byte chunkType, uint messageSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, messageType | ((uint)chunkType << 24));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], messageSize);
    }
}

/// <summary>Splits a byte stream into UA TCP chunks.</summary>
internal static class UaTcpFrameReader
{
    /// <summary>
    /// Takes one whole chunk from the front of <paramref name="buffer"/>. Returns false while fewer bytes than the header or
    /// than the declared MessageSize have arrived. Throws for an unknown message or chunk type, a size below the header, or a
    /// size above <paramref name="maxChunkSize"/>; nothing beyond the declared size is looked at.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, uint maxChunkSize, out UaTcpHeader header, out ReadOnlySequence<byte> frame)
    {
        header = default;
        frame = default;
        if (buffer.Length < UaTcpHeader.Size)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[UaTcpHeader.Size];
        buffer.Slice(0, UaTcpHeader.Size).CopyTo(head);
        var word = BinaryPrimitives.ReadUInt32LittleEndian(head);
        var type = word & 0x00FFFFFF;
        var chunk = (byte)(word >> 24);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        if (type is not (MessageTypes.Hello or MessageTypes.Acknowledge or MessageTypes.Error or MessageTypes.ReverseHello or MessageTypes.Message or MessageTypes.Open or MessageTypes.Close))
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, $"Unknown message type 0x{type:X6}.");
        }

        var chunkValid = MessageTypes.IsSecureConversation(type)
            ? chunk is MessageTypes.Final or MessageTypes.Intermediate or MessageTypes.Abort
            : chunk == MessageTypes.Final;
        if (!chunkValid)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, $"Invalid chunk type 0x{chunk:X2}.");
        }

        if (size < UaTcpHeader.Size)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, $"MessageSize {size} is smaller than the header.");
        }

        if (size > maxChunkSize)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTooLarge, $"Chunk of {size} bytes exceeds the negotiated {maxChunkSize}.");
        }

        if (buffer.Length < size)
        {
            return false;
        }

        header = new UaTcpHeader(type, chunk, size);
        frame = buffer.Slice(0, size);
        buffer = buffer.Slice(size);
        return true;
    }
}

/// <summary>
/// OPC 10000-6 §7.1.2.3 Hello body: ProtocolVersion, ReceiveBufferSize, SendBufferSize, MaxMessageSize, MaxChunkCount
/// (UInt32 each), EndpointUrl String (at most 4096 bytes).
/// </summary>
internal sealed record HelloMessage(uint ProtocolVersion, uint ReceiveBufferSize, uint SendBufferSize, uint MaxMessageSize, uint MaxChunkCount, string? EndpointUrl)
{
    public const int MaxEndpointUrlLength = 4096;

    public void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(ProtocolVersion);
        w.WriteUInt32(ReceiveBufferSize);
        w.WriteUInt32(SendBufferSize);
        w.WriteUInt32(MaxMessageSize);
        w.WriteUInt32(MaxChunkCount);
        w.WriteString(EndpointUrl);
    }

    public static HelloMessage Decode(ReadOnlySpan<byte> body)
    {
        UaBinaryReader r = new(body, EncodingLimits.Default with { MaxStringLength = MaxEndpointUrlLength });
        try
        {
            return new(r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadString());
        }
        catch (OpcUaProtocolException ex) when (ex.StatusCode == StatusCode.BadEncodingLimitsExceeded)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpEndpointUrlInvalid, "EndpointUrl is longer than 4096 bytes.");
        }
    }
}

/// <summary>OPC 10000-6 §7.1.2.4 Acknowledge body: ProtocolVersion, ReceiveBufferSize, SendBufferSize, MaxMessageSize, MaxChunkCount.</summary>
internal sealed record AcknowledgeMessage(uint ProtocolVersion, uint ReceiveBufferSize, uint SendBufferSize, uint MaxMessageSize, uint MaxChunkCount)
{
    public void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(ProtocolVersion);
        w.WriteUInt32(ReceiveBufferSize);
        w.WriteUInt32(SendBufferSize);
        w.WriteUInt32(MaxMessageSize);
        w.WriteUInt32(MaxChunkCount);
    }

    public static AcknowledgeMessage Decode(ReadOnlySpan<byte> body)
    {
        UaBinaryReader r = new(body);
        return new(r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32());
    }
}

/// <summary>OPC 10000-6 §7.1.2.5 Error body: Error UInt32 (a StatusCode), Reason String (at most 4096 bytes).</summary>
internal sealed record ErrorMessage(StatusCode Error, string? Reason)
{
    public void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(Error);
        var reason = Reason is { Length: > 1024 } ? Reason[..1024] : Reason;
        w.WriteString(reason);
    }

    public static ErrorMessage Decode(ReadOnlySpan<byte> body)
    {
        UaBinaryReader r = new(body, EncodingLimits.Default with { MaxStringLength = 4096 });
        return new(r.ReadStatusCode(), r.ReadString());
    }
}

/// <summary>OPC 10000-6 §7.1.2.6 ReverseHello body: ServerUri String, EndpointUrl String (each at most 4096 bytes).</summary>
internal sealed record ReverseHelloMessage(string? ServerUri, string? EndpointUrl)
{
    public void Encode(UaBinaryWriter w)
    {
        w.WriteString(ServerUri);
        w.WriteString(EndpointUrl);
    }

    public static ReverseHelloMessage Decode(ReadOnlySpan<byte> body)
    {
        UaBinaryReader r = new(body, EncodingLimits.Default with { MaxStringLength = 4096 });
        return new(r.ReadString(), r.ReadString());
    }
}

/// <summary>Writes whole UA TCP messages (header + body) for the connection protocol.</summary>
internal static class UaTcpMessageWriter
{
    public static byte[] Build(uint messageType, Action<UaBinaryWriter> body)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        buffer.Advance(UaTcpHeader.Size);
        body(new UaBinaryWriter(buffer));
        var bytes = buffer.WrittenSpan.ToArray();
        UaTcpHeader.Write(bytes, messageType, MessageTypes.Final, (uint)bytes.Length);
        return bytes;
    }
}
