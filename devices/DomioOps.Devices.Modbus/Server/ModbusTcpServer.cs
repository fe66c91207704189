using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>
/// Modbus TCP server: serves a <see cref="ModbusDataModel"/> per unit id to any number of clients,
/// answering pipelined requests in order. An unknown unit gets exception 0x0B.
/// </summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly ModbusTcpServerOptions _options;
    private readonly ModbusUnits _units = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    public ModbusTcpServer(ModbusTcpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this._options = options;
    }

    /// <summary>The bound address and port; valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint EndPoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started.");

    public int Port => EndPoint.Port;

    /// <summary>Connections open at the moment.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Serves a new, zeroed data model (65536 entries per table) as <paramref name="unitId"/>.</summary>
    public ModbusDataModel AddUnit(byte unitId) => _units.Add(unitId, new ModbusDataModel());

    /// <summary>Serves <paramref name="model"/> as <paramref name="unitId"/>; one model may back several units or servers.</summary>
    public ModbusDataModel AddUnit(byte unitId, ModbusDataModel model) => _units.Add(unitId, model);

    public bool RemoveUnit(byte unitId) => _units.Remove(unitId);

    /// <summary>Fault injection: asked with the unit id of each request before it is answered; null answers normally.</summary>
    public Func<byte, ModbusServerFault>? Fault { get; set; }

    /// <summary>Binds and starts accepting connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        var socket = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(_options.Address, _options.Port));
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _listener = socket;
        _acceptLoop = AcceptLoopAsync(socket);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (var s in _connections.Keys)
        {
            s.Dispose();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket socket)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                client.Dispose();
                continue;
            }

            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var serving = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                try
                {
                    await ServeAsync(client).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(client, out _);
                }
            });
            _connections[client] = serving;
            started.SetResult();
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        NetworkStream stream;
        try
        {
            // A client may already be gone (reset) by the time it is served.
            socket.NoDelay = true;
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }

        var reader = PipeReader.Create(stream);
        var writer = PipeWriter.Create(stream);
        var request = new byte[ModbusPdu.MaxLength];
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stopping.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var answered = false;
                var disconnect = false;
                var delay = TimeSpan.Zero;
                try
                {
                    while (MbapFrame.TryRead(ref buffer, out var transactionId, out var unitId, out var pdu))
                    {
                        var length = (int)pdu.Length;
                        pdu.CopyTo(request);
                        var fault = Fault?.Invoke(unitId) ?? default;
                        if (fault.Kind is ModbusServerFaultKind.NoAnswer or ModbusServerFaultKind.Disconnect)
                        {
                            disconnect = fault.Kind == ModbusServerFaultKind.Disconnect;
                            continue;
                        }

                        var response = writer.GetSpan(MbapFrame.MaxAduLength);
                        var responsePdu = response[MbapFrame.HeaderLength..];
                        var model = _units.FindForTcp(unitId);
                        var responseLength = model is null
                            ? ModbusRequestHandler.Exception(responsePdu, request[0], ModbusExceptionCode.GatewayTargetDeviceFailedToRespond)
                            : fault.Kind == ModbusServerFaultKind.Exception
                                ? ModbusRequestHandler.Exception(responsePdu, request[0], fault.ExceptionCode)
                                : ModbusRequestHandler.Handle(model, request.AsSpan(0, length), responsePdu);
                        var written = MbapFrame.WriteHeader(response, transactionId, unitId, responseLength);
                        if (fault.Kind == ModbusServerFaultKind.Garbage)
                        {
                            Random.Shared.NextBytes(response[..written]);
                        }

                        writer.Advance(written);
                        delay = fault.Delay > delay ? fault.Delay : delay;
                        answered = true;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (disconnect)
                {
                    break;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                }

                if (answered)
                {
                    var flush = await writer.FlushAsync(_stopping.Token).ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is ModbusProtocolException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A broken MBAP stream cannot be resynchronised; the client reconnects.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The peer is gone; nothing left to flush to.
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
