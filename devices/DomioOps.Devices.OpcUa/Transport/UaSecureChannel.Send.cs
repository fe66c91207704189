using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>The sending side (OPC 10000-6 §6.7.2): messages split into chunks of the negotiated size, errors sent before closing.</summary>
internal sealed partial class UaSecureChannel
{
    /// <summary>Sends a service message as one or more chunks of at most <see cref="SendChunkSize"/> bytes, secured per <see cref="Security"/>.</summary>
    public async ValueTask SendMessageAsync(uint messageType, uint requestId, IEncodeable message, bool isResponse, CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte> body = new(1024);
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(body), message);
        var open = messageType == MessageTypes.Open;
        var security = Security;
        var asymmetric = open && security is not null;
        var securityHeader = open ? (asymmetric ? security!.AsymmetricSecurityHeaderSize : 4 + SecurityPolicyNone.Length + 4 + 4) : 4;
        var prefixSize = UaTcpHeader.Size + 4 + securityHeader;
        var maxBody = asymmetric ? security!.MaxAsymmetricBody((int)SendChunkSize)
            : !open && security is not null ? security.MaxSymmetricBody((int)SendChunkSize)
            : (int)SendChunkSize - prefixSize - SequenceHeaderSize;
        var chunks = Math.Max(1, (body.WrittenCount + maxBody - 1) / maxBody);
        if ((PeerMaxMessageSize != 0 && body.WrittenCount > PeerMaxMessageSize) || (PeerMaxChunkCount != 0 && chunks > PeerMaxChunkCount))
        {
            throw new OpcUaException(isResponse ? StatusCode.BadResponseTooLarge : StatusCode.BadRequestTooLarge, $"Message of {body.WrittenCount} bytes in {chunks} chunks exceeds the peer's limits.");
        }

        var prefix = new byte[prefixSize];
        var plain = new byte[SequenceHeaderSize + Math.Min(maxBody, body.WrittenCount)];
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The receive side switches SendTokenId when a renewed token comes into use; the header and the keys of a
            // message must name the same token, so it is read once.
            var tokenId = SendTokenId;
            var remaining = body.WrittenMemory;
            do
            {
                var take = Math.Min(maxBody, remaining.Length);
                var final = take == remaining.Length;
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
                var chunk = asymmetric ? security!.SecureAsymmetric(prefix, plainPart)
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
            var bytes = UaTcpMessageWriter.Build(MessageTypes.Error, w => new ErrorMessage(error, reason).Encode(w));
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(2));
            await SendRawAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await DisposeAsync().ConfigureAwait(false);
    }
}
