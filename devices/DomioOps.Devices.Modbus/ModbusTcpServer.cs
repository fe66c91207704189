using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// Modbus TCP server: serves a <see cref="ModbusDataModel"/> per unit id to any number of clients,
/// answering pipelined requests in order. An unknown unit gets exception 0x0B.
/// </summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly ModbusTcpServerOptions options;
    private readonly ModbusUnits units = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> connections = new();
    private Socket? listener;
    private Task? acceptLoop;

    public ModbusTcpServer(ModbusTcpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>The bound address and port; valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint EndPoint => (IPEndPoint?)listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started.");

    public int Port => EndPoint.Port;

    /// <summary>Connections open at the moment.</summary>
    public int ConnectionCount => connections.Count;

    /// <summary>Serves a new, zeroed data model (65536 entries per table) as <paramref name="unitId"/>.</summary>
    public ModbusDataModel AddUnit(byte unitId) => units.Add(unitId, new ModbusDataModel());

    /// <summary>Serves <paramref name="model"/> as <paramref name="unitId"/>; one model may back several units or servers.</summary>
    public ModbusDataModel AddUnit(byte unitId, ModbusDataModel model) => units.Add(unitId, model);

    public bool RemoveUnit(byte unitId) => units.Remove(unitId);

    /// <summary>Fault injection: asked with the unit id of each request before it is answered; null answers normally.</summary>
    public Func<byte, ModbusServerFault>? Fault { get; set; }

    /// <summary>Binds and starts accepting connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        var socket = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(options.Address, options.Port));
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        listener = socket;
        acceptLoop = AcceptLoopAsync(socket);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener?.Dispose();
        if (acceptLoop is not null)
        {
            await acceptLoop.ConfigureAwait(false);
        }

        foreach (Socket s in connections.Keys)
        {
            s.Dispose();
        }

        await Task.WhenAll(connections.Values).ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket socket)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (connections.Count >= options.MaxConnections)
            {
                client.Dispose();
                continue;
            }

            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task serving = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                try
                {
                    await ServeAsync(client).ConfigureAwait(false);
                }
                finally
                {
                    connections.TryRemove(client, out _);
                }
            });
            connections[client] = serving;
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

        PipeReader reader = PipeReader.Create(stream);
        PipeWriter writer = PipeWriter.Create(stream);
        byte[] request = new byte[ModbusPdu.MaxLength];
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(stopping.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool answered = false;
                bool disconnect = false;
                TimeSpan delay = TimeSpan.Zero;
                try
                {
                    while (MbapFrame.TryRead(ref buffer, out ushort transactionId, out byte unitId, out ReadOnlySequence<byte> pdu))
                    {
                        int length = (int)pdu.Length;
                        pdu.CopyTo(request);
                        ModbusServerFault fault = Fault?.Invoke(unitId) ?? default;
                        if (fault.Kind is ModbusServerFaultKind.NoAnswer or ModbusServerFaultKind.Disconnect)
                        {
                            disconnect = fault.Kind == ModbusServerFaultKind.Disconnect;
                            continue;
                        }

                        Span<byte> response = writer.GetSpan(MbapFrame.MaxAduLength);
                        Span<byte> responsePdu = response[MbapFrame.HeaderLength..];
                        ModbusDataModel? model = units.FindForTcp(unitId);
                        int responseLength = model is null
                            ? ModbusRequestHandler.Exception(responsePdu, request[0], ModbusExceptionCode.GatewayTargetDeviceFailedToRespond)
                            : fault.Kind == ModbusServerFaultKind.Exception
                                ? ModbusRequestHandler.Exception(responsePdu, request[0], fault.ExceptionCode)
                                : ModbusRequestHandler.Handle(model, request.AsSpan(0, length), responsePdu);
                        int written = MbapFrame.WriteHeader(response, transactionId, unitId, responseLength);
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
                    await Task.Delay(delay, stopping.Token).ConfigureAwait(false);
                }

                if (answered)
                {
                    FlushResult flush = await writer.FlushAsync(stopping.Token).ConfigureAwait(false);
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
