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

    private Part part = Part.Type;
    private bool connectSeen;
    private int length;
    private int shift;
    private long bodyLeft;

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
            switch (part)
            {
                case Part.Type:
                    if (!connectSeen && bytes[i] >> 4 != ConnectType)
                    {
                        throw new MqttProtocolViolationException($"the first packet must be CONNECT (type 1), not type {bytes[i] >> 4}");
                    }

                    (part, length, shift) = (Part.Length, 0, 0);
                    i++;
                    break;
                case Part.Length:
                    var next = bytes[i++];
                    length |= (next & 0x7F) << shift;
                    shift += 7;
                    if ((next & 0x80) != 0)
                    {
                        if (shift == 28)
                        {
                            throw new MqttProtocolViolationException("malformed Remaining Length: more than 4 bytes (MQTT 5.0 §1.5.5)");
                        }

                        break;
                    }

                    var limit = connectSeen ? maxPacketBytes : maxConnectBytes;
                    if (length > limit)
                    {
                        throw new MqttProtocolViolationException($"{(connectSeen ? "packet" : "CONNECT packet")} of {length} bytes is over the limit of {limit}");
                    }

                    connectSeen = true;
                    (part, bodyLeft) = length == 0 ? (Part.Type, 0) : (Part.Body, length);
                    break;
                case Part.Body:
                    var skipped = (int)Math.Min(bodyLeft, bytes.Length - i);
                    i += skipped;
                    bodyLeft -= skipped;
                    if (bodyLeft == 0)
                    {
                        part = Part.Type;
                    }

                    break;
            }
        }
    }
}
