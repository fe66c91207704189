using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.OpcUa.Tests.Security;

/// <summary>
/// A loopback TCP proxy that forwards UA TCP chunks and flips one byte in the <c>chunkIndex</c>-th client→server chunk
/// of every connection whose OpenSecureChannel names a secured policy; everything else passes unchanged.
/// </summary>
internal sealed class TamperingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly int _chunkIndex;
    private readonly Func<byte[], int> _byteToFlip;
    private readonly List<Task> _tasks = [];

    public TamperingProxy(int targetPort, int chunkIndex, Func<byte[], int> byteToFlip)
    {
        _targetPort = targetPort;
        _chunkIndex = chunkIndex;
        _byteToFlip = byteToFlip;
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Tampered { get; private set; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                TcpClient outbound = new();
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                _tasks.Add(PumpAsync(inbound, outbound, tamper: true));
                _tasks.Add(PumpAsync(outbound, inbound, tamper: false));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool tamper)
    {
        var input = from.GetStream();
        var output = to.GetStream();
        var secured = false;
        var index = 0;
        try
        {
            var header = new byte[8];
            while (true)
            {
                await input.ReadExactlyAsync(header, _stop.Token);
                var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                var chunk = new byte[size];
                header.CopyTo(chunk, 0);
                await input.ReadExactlyAsync(chunk.AsMemory(8), _stop.Token);
                index++;
                if (tamper && header[0] == (byte)'O' && System.Text.Encoding.ASCII.GetString(chunk).Contains("Basic256Sha256", StringComparison.Ordinal))
                {
                    secured = true;
                }

                if (tamper && secured && index == _chunkIndex)
                {
                    chunk[_byteToFlip(chunk)] ^= 0x01;
                    Tampered++;
                }

                await output.WriteAsync(chunk, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or EndOfStreamException)
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
        await Task.WhenAll([.. _tasks]);
        _stop.Dispose();
    }
}
