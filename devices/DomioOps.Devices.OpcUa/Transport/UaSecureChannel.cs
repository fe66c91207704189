using System.IO.Pipelines;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

using UaSecurityPolicy = DomioOps.Devices.OpcUa.Security.SecurityPolicy;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>One assembled secure conversation message: its type (MSG, OPN, CLO), request id and body.</summary>
internal readonly record struct InboundMessage(uint MessageType, uint RequestId, uint TokenId, byte[] Body);

/// <summary>
/// Takes one assembled message while its body is still in the receive buffer: the span is valid only during the call.
/// </summary>
internal delegate void InboundMessageHandler(uint messageType, uint requestId, uint tokenId, ReadOnlySpan<byte> body);

/// <summary>
/// One UA TCP connection carrying one secure channel with SecurityPolicy None (OPC 10000-6 §6.7, §7.1): reads chunks,
/// checks channel id, token and sequence numbers, assembles chunks into messages within the negotiated limits, and
/// splits outgoing messages into chunks. Both the client and the server side use it; it owns the socket.
/// </summary>
/// <remarks>
/// Chunk layout (§6.7.2): header (8) | SecureChannelId UInt32 | security header | SequenceNumber UInt32, RequestId UInt32 | body.
/// The security header of OPN is the asymmetric one (SecurityPolicyUri String, SenderCertificate ByteString,
/// ReceiverCertificateThumbprint ByteString); MSG and CLO carry the symmetric one (TokenId UInt32).
/// </remarks>
internal sealed partial class UaSecureChannel : IAsyncDisposable
{
    public const string SecurityPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None";

    private const int SequenceHeaderSize = 8;
    private const int SymmetricPrefixSize = UaTcpHeader.Size + 4 + 4;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<uint, PartialMessage> _partial = [];
    private readonly EncodingLimits _encodingLimits;
    private uint _sendSequence;
    private uint? _receiveSequence;
    private int _disposed;

    /// <summary>Whether this is the server end (the tag of the transport metrics).</summary>
    public bool IsServer { get; init; }

    public UaSecureChannel(Socket socket, TransportLimits localLimits)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 65536));
        LocalLimits = localLimits;
        ReceiveChunkSize = localLimits.ReceiveBufferSize;
        SendChunkSize = TransportLimits.MinBufferSize;
        _encodingLimits = EncodingLimits.Default with
        {
            MaxStringLength = (int)Math.Min(localLimits.MaxMessageSize == 0 ? int.MaxValue : localLimits.MaxMessageSize, int.MaxValue),
            MaxByteStringLength = (int)Math.Min(localLimits.MaxMessageSize == 0 ? int.MaxValue : localLimits.MaxMessageSize, int.MaxValue),
        };
    }

    public TransportLimits LocalLimits { get; }

    /// <summary>The largest chunk we accept (our negotiated receive buffer).</summary>
    public uint ReceiveChunkSize { get; set; }

    /// <summary>The largest chunk we send (the peer's negotiated receive buffer).</summary>
    public uint SendChunkSize { get; set; }

    public uint PeerMaxMessageSize { get; set; }

    public uint PeerMaxChunkCount { get; set; }

    public uint ChannelId { get; set; }

    public uint TokenId { get; set; }

    public uint PreviousTokenId { get; set; }

    /// <summary>
    /// The token we secure outgoing messages with. A server keeps the old one after a renewal until the client uses the new
    /// one (OPC 10000-4 §5.5.2), so nothing it sends can overtake the OpenSecureChannel response.
    /// </summary>
    public uint SendTokenId { get; set; }

    public EncodingLimits EncodingLimits => _encodingLimits;

    /// <summary>The security of this channel; null is SecurityPolicy None.</summary>
    public ChannelSecurity? Security { get; set; }

    /// <summary>
    /// Server side: called for the first secured OPN with its policy URI, sender certificate and receiver thumbprint;
    /// returns the channel security or throws (untrusted certificate, unsupported policy).
    /// </summary>
    public Func<string, byte[]?, byte[]?, ChannelSecurity>? AcceptAsymmetric { get; set; }

    /// <summary>Server side: whether an OPN with SecurityPolicy None is accepted.</summary>
    public bool AllowNone { get; set; } = true;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A RequestHeader/ResponseHeader-less helper: the status carried by a ServiceFault or a response header.</summary>
    public static StatusCode ServiceResultOf(IEncodeable response) => response is IServiceResponse r ? r.ResponseHeader.ServiceResult : StatusCode.BadUnknownResponse;
}
