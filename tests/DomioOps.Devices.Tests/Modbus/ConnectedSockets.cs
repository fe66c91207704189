using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.Tests.Modbus;

/// <summary>Two connected TCP sockets on 127.0.0.1: a byte pipe standing in for a serial line in unit tests.</summary>
internal sealed class ConnectedSockets : IDisposable
{
    private ConnectedSockets(Socket master, Socket slave)
    {
        Master = master;
        Slave = slave;
    }

    public Socket Master { get; }

    public Socket Slave { get; }

    public static async Task<ConnectedSockets> CreateAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var master = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task connect = master.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken).AsTask();
        Socket slave = await listener.AcceptSocketAsync(cancellationToken);
        await connect;
        slave.NoDelay = true;
        return new ConnectedSockets(master, slave);
    }

    public void Dispose()
    {
        Master.Dispose();
        Slave.Dispose();
    }
}
