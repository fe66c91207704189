using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// A loopback TCP proxy that forwards whole UA TCP chunks (OPC 10000-6 §7.1.2: 3-byte type, 1-byte chunk type, UInt32
/// size) and can swallow those of either direction (what a dying network does: the sender believes they went out), hide
/// the client's OpenSecureChannel renewals, and cut every connection; connections made after a cut are forwarded
/// normally again. It records the status of every Error message the server sends.
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
    private long _droppedRenewals;

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

    /// <summary>
    /// Hide every OpenSecureChannel chunk of a connection after its first (the Issue), so that the server sees a client that
    /// never renews: the client's later chunks are renumbered (SecurityPolicy None only) to close the gap in sequence
    /// numbers that the server would otherwise reject (OPC 10000-6 §6.7.2.4).
    /// </summary>
    public volatile bool DropRenewals;

    /// <summary>Server chunks swallowed so far.</summary>
    public long DroppedFromServer => Interlocked.Read(ref _droppedFromServer);

    /// <summary>Client renewals swallowed so far.</summary>
    public long DroppedRenewals => Interlocked.Read(ref _droppedRenewals);

    /// <summary>The Error field of every Error message the server sent through the proxy.</summary>
    public ConcurrentQueue<StatusCode> ServerErrors { get; } = new();

    /// <summary>Closes every open connection and stops dropping.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            foreach (var client in _open)
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
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
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
        var header = new byte[UaTcpHeader.Size];
        var opens = 0;
        uint hidden = 0;
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                await input.ReadExactlyAsync(header, _stop.Token);
                var type = BinaryPrimitives.ReadUInt32LittleEndian(header) & 0xFFFFFF;
                var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                if (size < UaTcpHeader.Size)
                {
                    break;
                }

                var chunk = new byte[size];
                header.CopyTo(chunk, 0);
                await input.ReadExactlyAsync(chunk.AsMemory(UaTcpHeader.Size), _stop.Token);
                if (fromServer && type == MessageTypes.Error)
                {
                    ServerErrors.Enqueue(ErrorMessage.Decode(chunk.AsSpan(UaTcpHeader.Size)).Error);
                }

                if (fromServer && DropFromServer)
                {
                    Interlocked.Increment(ref _droppedFromServer);
                    continue;
                }

                if (!fromServer && (DropFromClient || (type == MessageTypes.Open && opens++ > 0 && DropRenewals)))
                {
                    if (!DropFromClient)
                    {
                        hidden++;
                        Interlocked.Increment(ref _droppedRenewals);
                    }

                    continue;
                }

                if (!fromServer && hidden > 0 && SequenceNumberOffset(chunk, type) is int at)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(at)) - hidden);
                }

                await output.WriteAsync(chunk, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // EndOfStreamException (an IOException) is the peer closing between or inside chunks.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    /// <summary>
    /// Where the SequenceNumber sits (OPC 10000-6 §6.7.2): after the SecureChannelId and TokenId of a symmetric chunk, or
    /// after the SecureChannelId and the asymmetric security header (policy URI, certificate, thumbprint) of an OPN.
    /// </summary>
    private static int? SequenceNumberOffset(byte[] chunk, uint type)
    {
        if (type is MessageTypes.Message or MessageTypes.Close)
        {
            return UaTcpHeader.Size + 8;
        }

        if (type != MessageTypes.Open)
        {
            return null;
        }

        var at = UaTcpHeader.Size + 4;
        for (var field = 0; field < 3; field++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(at));
            at += 4 + Math.Max(length, 0);
        }

        return at;
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
