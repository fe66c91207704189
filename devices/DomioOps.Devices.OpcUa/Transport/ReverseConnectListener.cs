using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>
/// The client end of Reverse Connect (OPC 10000-6 §7.1.3): listens where servers dial in; each accepted connection must
/// open with a ReverseHello (§7.1.2.6), after which the client goes on with Hello over the same socket. A connection
/// that sends anything else, or names another server than expected, is closed and the next one awaited.
/// </summary>
internal sealed class ReverseConnectListener : IDisposable
{
    private const int MaxReverseHelloSize = UaTcpHeader.Size + (2 * (4 + 4096));
    private readonly TcpListener _listener;
    private readonly string? _expectedServerUri;

    public ReverseConnectListener(string listenUrl, string? expectedServerUri)
    {
        (var host, var port) = ClientSecureChannel.ParseEndpoint(listenUrl);
        _listener = new TcpListener(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), port);
        _expectedServerUri = expectedServerUri;
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Waits for a server to dial in and say ReverseHello.</summary>
    public async Task<(Socket Socket, ReverseHelloMessage Hello)> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var header = new byte[UaTcpHeader.Size];
                await ReceiveExactlyAsync(socket, header, cancellationToken).ConfigureAwait(false);
                var word = BinaryPrimitives.ReadUInt32LittleEndian(header);
                var size = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                if ((word & 0x00FFFFFF) != MessageTypes.ReverseHello || (byte)(word >> 24) != MessageTypes.Final || size < UaTcpHeader.Size || size > MaxReverseHelloSize)
                {
                    throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "A reverse connection must open with ReverseHello.");
                }

                var body = new byte[size - UaTcpHeader.Size];
                await ReceiveExactlyAsync(socket, body, cancellationToken).ConfigureAwait(false);
                var hello = ReverseHelloMessage.Decode(body);
                if (_expectedServerUri is not null && hello.ServerUri != _expectedServerUri)
                {
                    throw new OpcUaProtocolException(StatusCode.BadTcpEndpointUrlInvalid, $"ReverseHello from '{hello.ServerUri}', expected '{_expectedServerUri}'.");
                }

                return (socket, hello);
            }
            catch (Exception ex) when (ex is OpcUaProtocolException or IOException or SocketException)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The server closed the reverse connection.");
            }

            buffer = buffer[read..];
        }
    }

    public void Dispose() => _listener.Stop();
}
