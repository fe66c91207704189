using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// A loopback TCP proxy that can swallow the bytes of either direction (what a dying network does: the sender believes
/// they went out) and cut every connection; connections made after a cut are forwarded normally again.
/// </summary>
internal sealed class LossyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly List<Task> _tasks = [];
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private long _droppedFromServer;

    public LossyProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Drop what the server sends.</summary>
    public volatile bool DropFromServer;

    /// <summary>Drop what the client sends.</summary>
    public volatile bool DropFromClient;

    /// <summary>Reads of server bytes swallowed so far.</summary>
    public long DroppedFromServer => Interlocked.Read(ref _droppedFromServer);

    /// <summary>Closes every open connection and stops dropping.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            foreach (TcpClient client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
            DropFromServer = false;
            DropFromClient = false;
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                TcpClient outbound = new();
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                lock (_gate)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                    _tasks.Add(PumpAsync(inbound, outbound, fromServer: false));
                    _tasks.Add(PumpAsync(outbound, inbound, fromServer: true));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromServer)
    {
        byte[] buffer = new byte[65536];
        try
        {
            NetworkStream input = from.GetStream();
            NetworkStream output = to.GetStream();
            while (true)
            {
                int read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (fromServer ? DropFromServer : DropFromClient)
                {
                    if (fromServer)
                    {
                        Interlocked.Increment(ref _droppedFromServer);
                    }

                    continue;
                }

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        _stop.Dispose();
    }
}
