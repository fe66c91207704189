using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>One assembled secure conversation message: its type (MSG, OPN, CLO), request id and body.</summary>
internal readonly record struct InboundMessage(uint MessageType, uint RequestId, uint TokenId, byte[] Body);

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
    private readonly Dictionary<uint, (ArrayBufferWriter<byte> Body, int Chunks)> _partial = [];
    private readonly EncodingLimits _encodingLimits;
    private uint _sendSequence;
    private uint? _receiveSequence;
    private int _disposed;

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

    public EncodingLimits EncodingLimits => _encodingLimits;

    /// <summary>Reads one whole UA TCP chunk (header included). Returns null when the peer closed cleanly between chunks.</summary>
    public async ValueTask<(UaTcpHeader Header, byte[] Chunk)?> ReadChunkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool found;
            UaTcpHeader header;
            ReadOnlySequence<byte> frame;
            try
            {
                found = UaTcpFrameReader.TryReadFrame(ref buffer, ReceiveChunkSize, out header, out frame);
            }
            catch
            {
                _reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            if (found)
            {
                byte[] chunk = frame.ToArray();
                _reader.AdvanceTo(buffer.Start);
                return (header, chunk);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                long left = buffer.Length;
                _reader.AdvanceTo(buffer.End);
                if (left > 0)
                {
                    throw new OpcUaException(StatusCode.BadConnectionClosed, $"Connection closed inside a chunk ({left} bytes pending).");
                }

                return null;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Reads chunks until one secure conversation message is complete. An ERR from the peer throws with its status code;
    /// protocol violations throw <see cref="OpcUaProtocolException"/>. Returns null on a clean close.
    /// </summary>
    public async ValueTask<InboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (UaTcpHeader Header, byte[] Chunk)? read = await ReadChunkAsync(cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                return null;
            }

            (UaTcpHeader header, byte[] chunk) = read.Value;
            if (header.MessageType == MessageTypes.Error)
            {
                ErrorMessage error = ErrorMessage.Decode(chunk.AsSpan(UaTcpHeader.Size));
                throw new OpcUaException(error.Error, $"Peer sent Error: {error.Reason}");
            }

            if (!MessageTypes.IsSecureConversation(header.MessageType))
            {
                throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "Unexpected connection protocol message on an open channel.");
            }

            InboundMessage? message = AcceptChunk(header, chunk);
            if (message is not null)
            {
                return message;
            }
        }
    }

    private InboundMessage? AcceptChunk(UaTcpHeader header, byte[] chunk)
    {
        UaBinaryReader r = new(chunk.AsSpan(UaTcpHeader.Size), _encodingLimits);
        uint channelId = r.ReadUInt32();
        uint tokenId = 0;
        if (header.MessageType == MessageTypes.Open)
        {
            string? policy = r.ReadString();
            _ = r.ReadByteString();
            _ = r.ReadByteString();
            if (policy != SecurityPolicyNone)
            {
                throw new OpcUaProtocolException(StatusCode.BadSecurityPolicyRejected, $"SecurityPolicy '{policy}' is not supported.");
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
        }

        uint sequence = r.ReadUInt32();
        uint requestId = r.ReadUInt32();
        CheckSequence(sequence, header.MessageType == MessageTypes.Open);
        ReadOnlySpan<byte> body = chunk.AsSpan(UaTcpHeader.Size + r.Position);

        if (header.ChunkType == MessageTypes.Abort)
        {
            _partial.Remove(requestId);
            return null;
        }

        if (!_partial.TryGetValue(requestId, out (ArrayBufferWriter<byte> Body, int Chunks) entry))
        {
            if (header.ChunkType == MessageTypes.Final)
            {
                CheckMessageSize(body.Length, 1);
                return new InboundMessage(header.MessageType, requestId, tokenId, body.ToArray());
            }

            if (_partial.Count >= 64)
            {
                throw new OpcUaProtocolException(StatusCode.BadTcpNotEnoughResources, "Too many partial messages.");
            }

            entry = (new ArrayBufferWriter<byte>(body.Length * 2), 0);
        }

        entry.Chunks++;
        CheckMessageSize(entry.Body.WrittenCount + body.Length, entry.Chunks);
        body.CopyTo(entry.Body.GetSpan(body.Length));
        entry.Body.Advance(body.Length);
        if (header.ChunkType == MessageTypes.Intermediate)
        {
            _partial[requestId] = entry;
            return null;
        }

        _partial.Remove(requestId);
        return new InboundMessage(header.MessageType, requestId, tokenId, entry.Body.WrittenSpan.ToArray());
    }

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

    /// <summary>Sends a service message as one or more chunks of at most <see cref="SendChunkSize"/> bytes.</summary>
    public async ValueTask SendMessageAsync(uint messageType, uint requestId, IEncodeable message, bool isResponse, CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte> body = new(1024);
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(body), message);
        int securityHeader = messageType == MessageTypes.Open ? 4 + 4 + SecurityPolicyNone.Length + 4 + 4 : 4;
        int prefix = UaTcpHeader.Size + 4 + securityHeader + SequenceHeaderSize;
        int maxBody = (int)SendChunkSize - prefix;
        int chunks = Math.Max(1, (body.WrittenCount + maxBody - 1) / maxBody);
        if ((PeerMaxMessageSize != 0 && body.WrittenCount > PeerMaxMessageSize) || (PeerMaxChunkCount != 0 && chunks > PeerMaxChunkCount))
        {
            throw new OpcUaException(isResponse ? StatusCode.BadResponseTooLarge : StatusCode.BadRequestTooLarge, $"Message of {body.WrittenCount} bytes in {chunks} chunks exceeds the peer's limits.");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)SendChunkSize);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReadOnlyMemory<byte> remaining = body.WrittenMemory;
            do
            {
                int take = Math.Min(maxBody, remaining.Length);
                bool final = take == remaining.Length;
                int size = prefix + take;
                Span<byte> span = buffer.AsSpan(0, size);
                UaTcpHeader.Write(span, messageType, final ? MessageTypes.Final : MessageTypes.Intermediate, (uint)size);
                BinaryPrimitives.WriteUInt32LittleEndian(span[8..], ChannelId);
                int offset = 12;
                if (messageType == MessageTypes.Open)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(span[offset..], SecurityPolicyNone.Length);
                    offset += 4;
                    offset += System.Text.Encoding.ASCII.GetBytes(SecurityPolicyNone, span[offset..]);
                    BinaryPrimitives.WriteInt32LittleEndian(span[offset..], -1);
                    BinaryPrimitives.WriteInt32LittleEndian(span[(offset + 4)..], -1);
                    offset += 8;
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], TokenId);
                    offset += 4;
                }

                BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], NextSendSequence());
                BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 4)..], requestId);
                remaining.Span[..take].CopyTo(span[(offset + 8)..]);
                await _stream.WriteAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                remaining = remaining[take..];
            }
            while (!remaining.IsEmpty);
        }
        finally
        {
            _sendLock.Release();
            ArrayPool<byte>.Shared.Return(buffer);
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
