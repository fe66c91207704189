using System.Buffers;
using System.Buffers.Binary;
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
internal sealed class UaSecureChannel : IAsyncDisposable
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

    /// <summary>Reads one whole UA TCP chunk (header included). Returns null when the peer closed cleanly between chunks.</summary>
    public async ValueTask<(UaTcpHeader Header, byte[] Chunk)?> ReadChunkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (TryReadFrame(result, ref buffer, out UaTcpHeader header, out ReadOnlySequence<byte> frame))
            {
                byte[] chunk = frame.ToArray();
                _reader.AdvanceTo(buffer.Start);
                OpcUaMetrics.BytesReceived.Add(chunk.Length, OpcUaMetrics.Role(IsServer));
                return (header, chunk);
            }

            if (ClosedBetweenChunks(result, buffer))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Reads chunks until one secure conversation message is complete. An ERR from the peer throws with its status code;
    /// protocol violations throw <see cref="OpcUaProtocolException"/>. Returns null on a clean close. The body is a copy.
    /// </summary>
    public async ValueTask<InboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        InboundMessage? message = null;
        bool received = await ReceiveMessageAsync((type, requestId, tokenId, body) => message = new InboundMessage(type, requestId, tokenId, body.ToArray()), cancellationToken).ConfigureAwait(false);
        return received ? message : null;
    }

    /// <summary>
    /// Reads chunks until one secure conversation message is complete and hands its body to <paramref name="handler"/>
    /// straight from the receive buffer: a single chunk of a channel with SecurityPolicy None is not copied at all; a
    /// secured chunk is decrypted in a pooled buffer, and the chunks of a multi-chunk message are joined in one. Returns
    /// false on a clean close; errors as <see cref="ReceiveMessageAsync(CancellationToken)"/>.
    /// </summary>
    public async ValueTask<bool> ReceiveMessageAsync(InboundMessageHandler handler, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (TryReadFrame(result, ref buffer, out UaTcpHeader header, out ReadOnlySequence<byte> frame))
            {
                bool complete;
                try
                {
                    OpcUaMetrics.BytesReceived.Add(frame.Length, OpcUaMetrics.Role(IsServer));
                    complete = AcceptFrame(header, frame, handler);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start);
                }

                if (complete)
                {
                    return true;
                }
            }
            else if (ClosedBetweenChunks(result, buffer))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Takes the next whole chunk from what was read; the caller advances the reader to <paramref name="buffer"/>'s start
    /// once it is done with <paramref name="frame"/>. A malformed header leaves the reader where it was and throws.
    /// </summary>
    private bool TryReadFrame(in ReadResult result, ref ReadOnlySequence<byte> buffer, out UaTcpHeader header, out ReadOnlySequence<byte> frame)
    {
        try
        {
            return UaTcpFrameReader.TryReadFrame(ref buffer, ReceiveChunkSize, out header, out frame);
        }
        catch
        {
            _reader.AdvanceTo(result.Buffer.Start);
            throw;
        }
    }

    /// <summary>
    /// No whole chunk in what was read: true when the peer closed cleanly between chunks; a close inside a chunk throws;
    /// otherwise marks everything examined so the next read waits for more bytes, and returns false.
    /// </summary>
    private bool ClosedBetweenChunks(in ReadResult result, in ReadOnlySequence<byte> buffer)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            long left = buffer.Length;
            _reader.AdvanceTo(buffer.End);
            if (left > 0)
            {
                throw new OpcUaException(StatusCode.BadConnectionClosed, $"Connection closed inside a chunk ({left} bytes pending).");
            }

            return true;
        }

        _reader.AdvanceTo(buffer.Start, buffer.End);
        return false;
    }

    /// <summary>One chunk from the receive buffer; returns whether a message was completed (and handed over).</summary>
    internal bool AcceptFrame(UaTcpHeader header, in ReadOnlySequence<byte> frame, InboundMessageHandler handler)
    {
        if (header.MessageType == MessageTypes.Error)
        {
            ErrorMessage error = ErrorMessage.Decode(frame.ToArray().AsSpan(UaTcpHeader.Size));
            throw new OpcUaException(error.Error, $"Peer sent Error: {error.Reason}");
        }

        if (!MessageTypes.IsSecureConversation(header.MessageType))
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "Unexpected connection protocol message on an open channel.");
        }

        if (frame.IsSingleSegment && Security is null)
        {
            // Nothing is written into a chunk of SecurityPolicy None: the pipe's own memory is read in place.
            return AcceptChunk(header, System.Runtime.InteropServices.MemoryMarshal.AsMemory(frame.First).Span, handler);
        }

        // A secured chunk is decrypted in place, and one spread over pipe segments must be made contiguous: a pooled copy.
        int length = (int)frame.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            return AcceptChunk(header, rented.AsSpan(0, length), handler);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The security of this channel; null is SecurityPolicy None.</summary>
    public ChannelSecurity? Security { get; set; }

    /// <summary>
    /// Server side: called for the first secured OPN with its policy URI, sender certificate and receiver thumbprint;
    /// returns the channel security or throws (untrusted certificate, unsupported policy).
    /// </summary>
    public Func<string, byte[]?, byte[]?, ChannelSecurity>? AcceptAsymmetric { get; set; }

    private bool AcceptChunk(UaTcpHeader header, Span<byte> chunk, InboundMessageHandler handler)
    {
        UaBinaryReader r = new(chunk[UaTcpHeader.Size..], _encodingLimits);
        uint channelId = r.ReadUInt32();
        uint tokenId = 0;
        ReadOnlySpan<byte> plain;
        if (header.MessageType == MessageTypes.Open)
        {
            string? policy = r.ReadString();
            byte[]? senderCertificate = r.ReadByteString();
            byte[]? thumbprint = r.ReadByteString();
            int prefix = UaTcpHeader.Size + r.Position;
            if (policy == SecurityPolicyNone)
            {
                if (Security is not null)
                {
                    throw new OpcUaProtocolException(StatusCode.BadSecurityPolicyRejected, "SecurityPolicy None on a secured channel.");
                }

                if (AcceptAsymmetric is not null && !AllowNone)
                {
                    throw new OpcUaProtocolException(StatusCode.BadSecurityPolicyRejected, "SecurityPolicy None is not offered.");
                }

                plain = chunk[prefix..];
            }
            else
            {
                if (Security is null)
                {
                    if (AcceptAsymmetric is null || policy is null)
                    {
                        throw new OpcUaProtocolException(StatusCode.BadSecurityPolicyRejected, $"SecurityPolicy '{policy}' is not expected.");
                    }

                    Security = AcceptAsymmetric(policy, senderCertificate, thumbprint);
                }
                else if (policy != Security.Policy.Uri || senderCertificate is null || !senderCertificate.AsSpan().SequenceEqual(Security.RemoteCertificate?.RawData ?? []))
                {
                    throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "OPN security header does not match the channel.");
                }

                if (thumbprint is null || !thumbprint.AsSpan().SequenceEqual(UaSecurityPolicy.Thumbprint(Security.LocalCertificate)))
                {
                    throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "OPN is addressed to another certificate.");
                }

                plain = Security.UnsecureAsymmetric(chunk, prefix);
            }
        }
        else
        {
            tokenId = r.ReadUInt32();
            if (channelId != ChannelId)
            {
                throw new OpcUaProtocolException(StatusCode.BadSecureChannelIdInvalid, $"Chunk for channel {channelId}, this is channel {ChannelId}.");
            }

            if (tokenId != TokenId && tokenId != PreviousTokenId)
            {
                throw new OpcUaProtocolException(StatusCode.BadSecureChannelTokenUnknown, $"Token {tokenId} is unknown.");
            }

            if (tokenId == TokenId)
            {
                SendTokenId = TokenId;
            }

            int prefix = UaTcpHeader.Size + 8;
            int length = Security is null ? chunk.Length - prefix : Security.UnsecureSymmetric(tokenId, chunk, prefix);
            plain = chunk.Slice(prefix, length);
        }

        if (plain.Length < 8)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, "Chunk has no sequence header.");
        }

        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(plain);
        uint requestId = BinaryPrimitives.ReadUInt32LittleEndian(plain[4..]);
        CheckSequence(sequence, header.MessageType == MessageTypes.Open);
        ReadOnlySpan<byte> body = plain[8..];

        if (header.ChunkType == MessageTypes.Abort)
        {
            if (_partial.Remove(requestId, out PartialMessage? aborted))
            {
                aborted.Dispose();
            }

            return false;
        }

        if (!_partial.TryGetValue(requestId, out PartialMessage? partial))
        {
            if (header.ChunkType == MessageTypes.Final)
            {
                CheckMessageSize(body.Length, 1);
                OpcUaMetrics.MessagesReceived.Add(1, OpcUaMetrics.Role(IsServer));
                handler(header.MessageType, requestId, tokenId, body);
                return true;
            }

            if (_partial.Count >= 64)
            {
                throw new OpcUaProtocolException(StatusCode.BadTcpNotEnoughResources, "Too many partial messages.");
            }

            partial = new PartialMessage(body.Length * 2);
            _partial[requestId] = partial;
        }

        partial.Chunks++;
        CheckMessageSize(partial.Length + (long)body.Length, partial.Chunks);
        partial.Append(body);
        if (header.ChunkType == MessageTypes.Intermediate)
        {
            return false;
        }

        _partial.Remove(requestId);
        using (partial)
        {
            OpcUaMetrics.MessagesReceived.Add(1, OpcUaMetrics.Role(IsServer));
            handler(header.MessageType, requestId, tokenId, partial.Body);
        }

        return true;
    }

    /// <summary>The chunks of a message received so far, joined in a pooled buffer (returned when the message is done).</summary>
    private sealed class PartialMessage(int capacity) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

        public int Chunks { get; set; }

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Body => _buffer.AsSpan(0, Length);

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Length + data.Length > _buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + data.Length));
                _buffer.AsSpan(0, Length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            data.CopyTo(_buffer.AsSpan(Length));
            Length += data.Length;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            Length = 0;
        }
    }

    /// <summary>Server side: whether an OPN with SecurityPolicy None is accepted.</summary>
    public bool AllowNone { get; set; } = true;

    private void CheckMessageSize(long bodyBytes, int chunks)
    {
        if (LocalLimits.MaxMessageSize != 0 && bodyBytes > LocalLimits.MaxMessageSize)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTooLarge, $"Message body of {bodyBytes} bytes exceeds {LocalLimits.MaxMessageSize}.");
        }

        if (LocalLimits.MaxChunkCount != 0 && chunks > LocalLimits.MaxChunkCount)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTooLarge, $"Message of more than {LocalLimits.MaxChunkCount} chunks.");
        }
    }

    /// <summary>§6.7.2.4: each chunk's sequence number is the previous plus one; it wraps after 4294966271 to a value below 1024.</summary>
    private void CheckSequence(uint sequence, bool isOpen)
    {
        if (_receiveSequence is uint last && !(isOpen && _receiveSequence is null))
        {
            bool next = sequence == last + 1 || (last >= 4294966271u && sequence < 1024);
            if (!next)
            {
                throw new OpcUaProtocolException(StatusCode.BadSequenceNumberInvalid, $"Sequence number {sequence} does not follow {last}.");
            }
        }

        _receiveSequence = sequence;
    }

    /// <summary>Sends a service message as one or more chunks of at most <see cref="SendChunkSize"/> bytes, secured per <see cref="Security"/>.</summary>
    public async ValueTask SendMessageAsync(uint messageType, uint requestId, IEncodeable message, bool isResponse, CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte> body = new(1024);
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(body), message);
        bool open = messageType == MessageTypes.Open;
        ChannelSecurity? security = Security;
        bool asymmetric = open && security is not null;
        int securityHeader = open ? (asymmetric ? security!.AsymmetricSecurityHeaderSize : 4 + SecurityPolicyNone.Length + 4 + 4) : 4;
        int prefixSize = UaTcpHeader.Size + 4 + securityHeader;
        int maxBody = asymmetric ? security!.MaxAsymmetricBody((int)SendChunkSize)
            : !open && security is not null ? security.MaxSymmetricBody((int)SendChunkSize)
            : (int)SendChunkSize - prefixSize - SequenceHeaderSize;
        int chunks = Math.Max(1, (body.WrittenCount + maxBody - 1) / maxBody);
        if ((PeerMaxMessageSize != 0 && body.WrittenCount > PeerMaxMessageSize) || (PeerMaxChunkCount != 0 && chunks > PeerMaxChunkCount))
        {
            throw new OpcUaException(isResponse ? StatusCode.BadResponseTooLarge : StatusCode.BadRequestTooLarge, $"Message of {body.WrittenCount} bytes in {chunks} chunks exceeds the peer's limits.");
        }

        byte[] prefix = new byte[prefixSize];
        byte[] plain = new byte[SequenceHeaderSize + Math.Min(maxBody, body.WrittenCount)];
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The receive side switches SendTokenId when a renewed token comes into use; the header and the keys of a
            // message must name the same token, so it is read once.
            uint tokenId = SendTokenId;
            ReadOnlyMemory<byte> remaining = body.WrittenMemory;
            do
            {
                int take = Math.Min(maxBody, remaining.Length);
                bool final = take == remaining.Length;
                UaTcpHeader.Write(prefix, messageType, final ? MessageTypes.Final : MessageTypes.Intermediate, (uint)(prefixSize + SequenceHeaderSize + take));
                BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(8), ChannelId);
                if (asymmetric)
                {
                    security!.WriteAsymmetricSecurityHeader(prefix.AsSpan(12));
                }
                else if (open)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(12), SecurityPolicyNone.Length);
                    System.Text.Encoding.ASCII.GetBytes(SecurityPolicyNone, prefix.AsSpan(16));
                    BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(16 + SecurityPolicyNone.Length), -1);
                    BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(20 + SecurityPolicyNone.Length), -1);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(12), tokenId);
                }

                BinaryPrimitives.WriteUInt32LittleEndian(plain, NextSendSequence());
                BinaryPrimitives.WriteUInt32LittleEndian(plain.AsSpan(4), requestId);
                remaining.Span[..take].CopyTo(plain.AsSpan(SequenceHeaderSize));
                ReadOnlySpan<byte> plainPart = plain.AsSpan(0, SequenceHeaderSize + take);
                byte[] chunk = asymmetric ? security!.SecureAsymmetric(prefix, plainPart)
                    : !open && security is not null ? security.SecureSymmetric(tokenId, prefix, plainPart)
                    : [.. prefix, .. plainPart];
                await _stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                OpcUaMetrics.BytesSent.Add(chunk.Length, OpcUaMetrics.Role(IsServer));
                remaining = remaining[take..];
            }
            while (!remaining.IsEmpty);
            OpcUaMetrics.MessagesSent.Add(1, OpcUaMetrics.Role(IsServer));
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private uint NextSendSequence()
    {
        _sendSequence = _sendSequence >= 4294966271u ? 1 : _sendSequence + 1;
        return _sendSequence;
    }

    public async ValueTask SendRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            OpcUaMetrics.BytesSent.Add(bytes.Length, OpcUaMetrics.Role(IsServer));
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Tells the peer why the channel ends (§7.1.2.5) and closes the socket; failures to send are ignored.</summary>
    public async ValueTask SendErrorAndCloseAsync(StatusCode error, string reason)
    {
        try
        {
            byte[] bytes = UaTcpMessageWriter.Build(MessageTypes.Error, w => new ErrorMessage(error, reason).Encode(w));
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(2));
            await SendRawAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await DisposeAsync().ConfigureAwait(false);
    }

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
