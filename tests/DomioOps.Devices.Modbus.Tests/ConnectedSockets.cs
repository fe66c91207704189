using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.Modbus.Tests;

/// <summary>Two connected TCP sockets on 127.0.0.1: a byte pipe standing in for a serial line in unit tests.</summary>
internal sealed class ConnectedSockets : IDisposable
{
    private ConnectedSockets(Socket clientEnd, Socket serverEnd)
    {
        ClientEnd = clientEnd;
        ServerEnd = serverEnd;
    }

    /// <summary>The end the client (the requests' sender) uses.</summary>
    public Socket ClientEnd { get; }

    /// <summary>The end the server or the test's scripted units answer on.</summary>
    public Socket ServerEnd { get; }

    public static async Task<ConnectedSockets> CreateAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clientEnd = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connect = clientEnd.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken).AsTask();
        var serverEnd = await listener.AcceptSocketAsync(cancellationToken);
        await connect;
        serverEnd.NoDelay = true;
        return new ConnectedSockets(clientEnd, serverEnd);
    }

    public void Dispose()
    {
        ClientEnd.Dispose();
        ServerEnd.Dispose();
    }
}
