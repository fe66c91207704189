using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The embedded broker's guard against packets that would exhaust memory: it watches the bytes a connection reads and
/// refuses a packet whose declared size is over the limit as soon as its fixed header is complete, before MQTTnet
/// allocates its body (MQTTnet allocates whatever a header claims, up to 256 MiB, before it authenticates anyone).
/// The first packet must be CONNECT and small; after it (MQTTnet reads on only once CONNECT was accepted), packets may
/// be as large as <c>maxPacketBytes</c>.
/// </summary>
/// <remarks>
/// MQTT 5.0 §2.1.1 fixed header: byte 1 is the packet type (high nibble; CONNECT = 1) and flags, then the Remaining
/// Length as a Variable Byte Integer (§1.5.5: 1-4 bytes, 7 bits each, least significant first, 0x80 = more follows):
/// <code>
/// [type|flags] [len0|c] ([len1|c] ([len2|c] ([len3])))  body of Remaining Length bytes
/// </code>
/// </remarks>
internal sealed class MqttPacketLimit(IMqttChannel channel, int maxConnectBytes, int maxPacketBytes) : IMqttChannel
{
    private const int ConnectType = 1;

    private Part _part = Part.Type;
    private bool _connectSeen;
    private int _length;
    private int _shift;
    private long _bodyLeft;

    private enum Part
    {
        Type,
        Length,
        Body,
    }

    public System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate => channel.ClientCertificate;

    public System.Net.EndPoint RemoteEndPoint => channel.RemoteEndPoint;

    public System.Net.EndPoint LocalEndPoint => channel.LocalEndPoint;

    public bool IsSecureConnection => channel.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => channel.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => channel.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await channel.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        Inspect(buffer.AsSpan(offset, read));
        return read;
    }

    public Task WriteAsync(System.Buffers.ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        channel.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => channel.Dispose();

    /// <summary>Follows the framing over <paramref name="bytes"/> (the next bytes read, split anywhere); throws for a packet over the limit.</summary>
    /// <exception cref="MqttProtocolViolationException">The packet is too large, malformed, or the first one is not CONNECT.</exception>
    internal void Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_part)
            {
                case Part.Type:
                    if (!_connectSeen && bytes[i] >> 4 != ConnectType)
                    {
                        throw new MqttProtocolViolationException($"the first packet must be CONNECT (type 1), not type {bytes[i] >> 4}");
                    }

                    (_part, _length, _shift) = (Part.Length, 0, 0);
                    i++;
                    break;
                case Part.Length:
                    var next = bytes[i++];
                    _length |= (next & 0x7F) << _shift;
                    _shift += 7;
                    if ((next & 0x80) != 0)
                    {
                        if (_shift == 28)
                        {
                            throw new MqttProtocolViolationException("malformed Remaining Length: more than 4 bytes (MQTT 5.0 §1.5.5)");
                        }

                        break;
                    }

                    var limit = _connectSeen ? maxPacketBytes : maxConnectBytes;
                    if (_length > limit)
                    {
                        throw new MqttProtocolViolationException($"{(_connectSeen ? "packet" : "CONNECT packet")} of {_length} bytes is over the limit of {limit}");
                    }

                    _connectSeen = true;
                    (_part, _bodyLeft) = _length == 0 ? (Part.Type, 0) : (Part.Body, _length);
                    break;
                case Part.Body:
                    var skipped = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += skipped;
                    _bodyLeft -= skipped;
                    if (_bodyLeft == 0)
                    {
                        _part = Part.Type;
                    }

                    break;
            }
        }
    }
}
