using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

using DomioOps.Devices.OpcUa.Encoding;

using UaSecurityPolicy = DomioOps.Devices.OpcUa.Security.SecurityPolicy;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>
/// The receiving side (OPC 10000-6 §6.7.2, §7.1.2): frames read from the socket, each chunk checked (channel id, token,
/// sequence number, security) and assembled into messages within the negotiated limits.
/// </summary>
internal sealed partial class UaSecureChannel
{
    /// <summary>Reads one whole UA TCP chunk (header included). Returns null when the peer closed cleanly between chunks.</summary>
    public async ValueTask<(UaTcpHeader Header, byte[] Chunk)?> ReadChunkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(result, ref buffer, out var header, out var frame))
            {
                var chunk = frame.ToArray();
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
        var received = await ReceiveMessageAsync((type, requestId, tokenId, body) => message = new InboundMessage(type, requestId, tokenId, body.ToArray()), cancellationToken).ConfigureAwait(false);
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
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(result, ref buffer, out var header, out var frame))
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
            var left = buffer.Length;
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
            var error = ErrorMessage.Decode(frame.ToArray().AsSpan(UaTcpHeader.Size));
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
        var length = (int)frame.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
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

    private bool AcceptChunk(UaTcpHeader header, Span<byte> chunk, InboundMessageHandler handler)
    {
        UaBinaryReader r = new(chunk[UaTcpHeader.Size..], _encodingLimits);
        var channelId = r.ReadUInt32();
        uint tokenId = 0;
        ReadOnlySpan<byte> plain;
        if (header.MessageType == MessageTypes.Open)
        {
            var policy = r.ReadString();
            var senderCertificate = r.ReadByteString();
            var thumbprint = r.ReadByteString();
            var prefix = UaTcpHeader.Size + r.Position;
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

            var prefix = UaTcpHeader.Size + 8;
            var length = Security is null ? chunk.Length - prefix : Security.UnsecureSymmetric(tokenId, chunk, prefix);
            plain = chunk.Slice(prefix, length);
        }

        if (plain.Length < 8)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, "Chunk has no sequence header.");
        }

        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(plain);
        var requestId = BinaryPrimitives.ReadUInt32LittleEndian(plain[4..]);
        CheckSequence(sequence, header.MessageType == MessageTypes.Open);
        var body = plain[8..];

        if (header.ChunkType == MessageTypes.Abort)
        {
            if (_partial.Remove(requestId, out var aborted))
            {
                aborted.Dispose();
            }

            return false;
        }

        if (!_partial.TryGetValue(requestId, out var partial))
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
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + data.Length));
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
            var next = sequence == last + 1 || (last >= 4294966271u && sequence < 1024);
            if (!next)
            {
                throw new OpcUaProtocolException(StatusCode.BadSequenceNumberInvalid, $"Sequence number {sequence} does not follow {last}.");
            }
        }

        _receiveSequence = sequence;
    }
}
