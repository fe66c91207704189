using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.Modbus.Client;

namespace DomioOps.Benchmarks.Modbus;

/// <summary>
/// The whole request path of <see cref="ModbusTcpClient"/> on loopback, for its allocations: encode, send, receive,
/// match, decode into the caller's buffer. The device is a responder on its own threads that allocates nothing after
/// its set-up, so every byte MemoryDiagnoser reports (it counts all threads) is the client's.
/// </summary>
[MemoryDiagnoser]
public class ModbusClientBenchmarks : IDisposable
{
    private const int Window = 8;
    private const int Sequence = 100;
    private readonly ushort[][] _destinations = [.. Enumerable.Range(0, Window).Select(_ => new ushort[10])];
    private readonly ValueTask[] _reads = new ValueTask[Window];
    private readonly CancellationTokenSource _cancellation = new();
    private LoopbackResponder? _device;
    private ModbusTcpClient? _oneAtATime;
    private ModbusTcpClient? _pipelined;

    [GlobalSetup]
    public void Setup()
    {
        _device = new LoopbackResponder();
        _oneAtATime = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", _device.Port) { MaxInFlight = 1 });
        _pipelined = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", _device.Port) { MaxInFlight = Window });
        _oneAtATime.ConnectAsync(CancellationToken.None).GetAwaiter().GetResult();
        _pipelined.ConnectAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _oneAtATime?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _pipelined?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _device?.Dispose();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "read 10 registers into caller's buffer, one at a time")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadOneAtATime()
    {
        await _oneAtATime!.ReadHoldingRegistersAsync(1, 0, _destinations[0], CancellationToken.None);
    }

    [Benchmark(Description = "read 10 registers into caller's buffer, one at a time, cancellable token")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadOneAtATimeCancellable()
    {
        await _oneAtATime!.ReadHoldingRegistersAsync(1, 0, _destinations[0], _cancellation.Token);
    }

    [Benchmark(OperationsPerInvoke = Window, Description = "read 10 registers into caller's buffer, 8 in flight")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadPipelined()
    {
        for (var i = 0; i < Window; i++)
        {
#pragma warning disable CA2012 // Each stored ValueTask is awaited exactly once, in the loop below.
            _reads[i] = _pipelined!.ReadHoldingRegistersAsync(1, 0, _destinations[i], CancellationToken.None);
#pragma warning restore CA2012
        }

        for (var i = 0; i < Window; i++)
        {
            await _reads[i];
        }
    }

    [Benchmark(OperationsPerInvoke = Sequence, Description = "read 10 registers into caller's buffer, 100 in sequence")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadSequence()
    {
        for (var i = 0; i < Sequence; i++)
        {
            await _oneAtATime!.ReadHoldingRegistersAsync(1, 0, _destinations[0], CancellationToken.None);
        }
    }

    [Benchmark(Description = "read 10 registers returning a new array, one at a time")]
    public async ValueTask<ushort[]> ReadReturningArray()
    {
        return await _oneAtATime!.ReadHoldingRegistersAsync(1, 0, 10, CancellationToken.None);
    }

    /// <summary>Answers every read-holding-registers request with ten registers, one thread per connection, preallocated buffers.</summary>
    private sealed class LoopbackResponder : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _connections = [];

        public LoopbackResponder()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(4);
            new Thread(Accept) { IsBackground = true }.Start();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public void Dispose()
        {
            _listener.Dispose();
            lock (_connections)
            {
                _connections.ForEach(c => c.Dispose());
            }
        }

        private void Accept()
        {
            try
            {
                while (true)
                {
                    var connection = _listener.Accept();
                    connection.NoDelay = true;
                    lock (_connections)
                    {
                        _connections.Add(connection);
                    }

                    new Thread(() => Serve(connection)) { IsBackground = true }.Start();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposed.
            }
        }

        private static void Serve(Socket connection)
        {
            var input = new byte[16 * 1024];
            var output = new byte[64 * 1024];
            var filled = 0;
            try
            {
                while (true)
                {
                    var received = connection.Receive(input.AsSpan(filled));
                    if (received == 0)
                    {
                        return;
                    }

                    filled += received;
                    var offset = 0;
                    var written = 0;
                    while (filled - offset >= 12)
                    {
                        // Request: tid (2) | 0 (2) | length 6 (2) | unit | 03 | address (2) | count (2).
                        var response = output.AsSpan(written, 9 + 20);
                        input.AsSpan(offset, 2).CopyTo(response);
                        BinaryPrimitives.WriteUInt16BigEndian(response[2..], 0);
                        BinaryPrimitives.WriteUInt16BigEndian(response[4..], 3 + 20);
                        response[6] = input[offset + 6];
                        response[7] = 0x03;
                        response[8] = 20;
                        response[9..].Clear();
                        written += response.Length;
                        offset += 12;
                    }

                    input.AsSpan(offset, filled - offset).CopyTo(input);
                    filled -= offset;
                    connection.Send(output.AsSpan(0, written));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposed.
            }
        }
    }
}
