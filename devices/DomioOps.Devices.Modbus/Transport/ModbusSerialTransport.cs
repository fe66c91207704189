using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// RTU or ASCII frames on a line to a bus of several units: a serial port, or a TCP connection to a serial gateway.
/// One request is on the bus at a time, in arrival order, paced by the inter-frame silence. Each unit has its own
/// response timeout and circuit breaker (checked when its request gets the bus), so a dead unit costs a few timeouts
/// and is then skipped until its open period ends, never stalling the others. Unit 0 broadcasts writes (§2.1).
/// </summary>
internal sealed class ModbusSerialTransport : IModbusTransport
{
    private readonly Func<CancellationToken, Task<ModbusLine>> openLine;
    private readonly ModbusSerialClientOptions options;
    private readonly TimeProvider time;
    private readonly TimeSpan interFrameDelay;
    private readonly SemaphoreSlim bus = new(1, 1);
    private readonly ModbusTransactionPool pool = new(4);
    private readonly byte[] asciiFrame = new byte[ModbusTransaction.BufferLength];
    private readonly Dictionary<byte, ModbusUnitCircuit> circuits = [];
    private readonly ModbusClientMetrics metrics;
    private bool lineWasOpen;
    private ModbusLine? line;
    private long quietUntil;
    private bool disposed;

    /// <param name="openLine">Opens the line; called again after the line was lost.</param>
    /// <param name="interFrameDelay">Silence kept between frames.</param>
    /// <param name="endpoint">The port's name or host:port, for the metrics.</param>
    /// <param name="overTcp">Frames tunnelled over TCP (the metrics' transport tag says so).</param>
    public ModbusSerialTransport(
        Func<CancellationToken, Task<ModbusLine>> openLine,
        ModbusSerialClientOptions options,
        TimeSpan interFrameDelay,
        TimeProvider? timeProvider,
        string endpoint,
        bool overTcp)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        metrics = new ModbusClientMetrics((options.Framing == ModbusSerialFraming.Rtu ? "rtu" : "ascii") + (overTcp ? "+tcp" : ""), endpoint);
        this.openLine = openLine;
        this.options = options;
        this.interFrameDelay = interFrameDelay;
        time = timeProvider ?? TimeProvider.System;
    }

    public int PduOffset => 1;

    public bool IsOpen => line is { IsOpen: true };

    /// <summary>A line on a serial port.</summary>
    public static ModbusSerialTransport OnPort(ModbusSerialPortOptions port, ModbusSerialClientOptions options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(port);
        var transport = new ModbusSerialTransport(
            ct =>
            {
                var serialPort = port.Open();
                return Task.FromResult(new ModbusLine(serialPort.BaseStream, serialPort));
            },
            options,
            options?.InterFrameDelay ?? port.InterFrameSilence,
            timeProvider,
            port.PortName,
            overTcp: false);
        port.Validate();
        return transport;
    }

    /// <summary>RTU or ASCII frames over a TCP connection to <paramref name="host"/> (a serial gateway or a device speaking RTU over TCP).</summary>
    public static ModbusSerialTransport OverTcp(string host, int port, ModbusSerialClientOptions options, TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new ModbusSerialTransport(
            async ct =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                return new ModbusLine(new NetworkStream(socket, ownsSocket: true), null);
            },
            options,
            options?.InterFrameDelay ?? TimeSpan.Zero,
            timeProvider,
            $"{host}:{port}",
            overTcp: true);
    }

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            bus.Release();
        }
    }

    /// <summary>The circuit breaker state of <paramref name="unitId"/>.</summary>
    public ModbusCircuitState GetCircuitState(byte unitId)
    {
        lock (circuits)
        {
            return circuits.TryGetValue(unitId, out ModbusUnitCircuit? circuit) ? circuit.State(time.GetTimestamp()) : ModbusCircuitState.Closed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        await bus.WaitAsync().ConfigureAwait(false);
        try
        {
            if (line is not null)
            {
                await line.DisposeAsync().ConfigureAwait(false);
                line = null;
            }
        }
        finally
        {
            bus.Release();
        }
    }

    public ModbusTransaction Rent() => pool.Rent();

    public void Return(ModbusTransaction transaction) => pool.Return(transaction);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (unitId == 0 && !ModbusPdu.IsWrite(transaction.Buffer[1]))
        {
            throw new ArgumentException("Unit 0 is the broadcast address: only writes can be broadcast.", nameof(unitId));
        }

        ModbusUnitCircuit circuit = Circuit(unitId);
        await bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            circuit.ThrowIfOpen(unitId, time.GetTimestamp(), time);
            ModbusLine current = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await KeepSilenceAsync(cancellationToken).ConfigureAwait(false);
            current.DiscardInput();

            ReadOnlyMemory<byte> frame = options.Framing == ModbusSerialFraming.Rtu
                ? transaction.Buffer.AsMemory(0, RtuFrame.Write(transaction.Buffer, unitId, transaction.Buffer.AsSpan(1, pduLength)))
                : asciiFrame.AsMemory(0, AsciiFrame.Write(asciiFrame, unitId, transaction.Buffer.AsSpan(1, pduLength)));
            try
            {
                await current.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                await CloseLineAsync().ConfigureAwait(false);
                throw new ModbusConnectionException("Writing the request failed.", e);
            }

            if (unitId == 0)
            {
                // A broadcast has no answer (§2.1); the echo the client checks is the request itself.
                quietUntil = time.GetTimestamp() + Ticks(options.BroadcastTurnaround);
                transaction.Buffer.AsSpan(1, 5).CopyTo(transaction.Buffer);
                return 5;
            }

            TimeSpan timeout = options.UnitResponseTimeouts.GetValueOrDefault(unitId, options.ResponseTimeout);
            byte function = transaction.Buffer[1];
            metrics.Request(function);
            long start = time.GetTimestamp();
            try
            {
                int length = await ReadResponseAsync(current, unitId, transaction.Buffer, timeout, cancellationToken).ConfigureAwait(false);
                metrics.Answered(function, unitId, transaction.Buffer.AsSpan(0, length), time.GetElapsedTime(start));
                circuit.Succeeded();
                return length;
            }
            catch (Exception e) when (e is ModbusTimeoutException or ModbusProtocolException)
            {
                if (e is ModbusTimeoutException)
                {
                    metrics.Timeout(unitId);
                }
                else if (((ModbusProtocolException)e).IsChecksumMismatch)
                {
                    metrics.ChecksumError(options.Framing);
                }

                if (circuit.Failed(time.GetTimestamp(), options.FailuresBeforeOpen, Ticks(options.OpenDuration)))
                {
                    metrics.CircuitOpened(unitId);
                }

                throw;
            }
            finally
            {
                quietUntil = time.GetTimestamp() + Ticks(interFrameDelay);
            }
        }
        finally
        {
            bus.Release();
        }
    }

    private async Task<int> ReadResponseAsync(ModbusLine current, byte unitId, byte[] destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        PipeReader input = current.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ModbusTimeoutException($"No response from unit {unitId} within {timeout.TotalMilliseconds:F0} ms.");
            }
            catch (ModbusConnectionException)
            {
                await CloseLineAsync().ConfigureAwait(false);
                throw;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            bool framed;
            byte answeredBy;
            int pduLength;
            try
            {
                framed = options.Framing == ModbusSerialFraming.Rtu
                    ? RtuFrame.TryReadResponse(ref buffer, destination, out answeredBy, out pduLength)
                    : AsciiFrame.TryRead(ref buffer, destination, out answeredBy, out pduLength);
            }
            catch (ModbusProtocolException)
            {
                // Resynchronise: whatever is buffered belongs to the broken frame.
                input.AdvanceTo(result.Buffer.End);
                throw;
            }

            if (framed)
            {
                input.AdvanceTo(buffer.Start);
                if (answeredBy != unitId)
                {
                    throw new ModbusProtocolException($"Answer from unit {answeredBy}; the request went to unit {unitId}.");
                }

                return pduLength;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                await CloseLineAsync().ConfigureAwait(false);
                throw new ModbusConnectionException("The line closed while waiting for a response.");
            }
        }
    }

    private async ValueTask<ModbusLine> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (line is { IsOpen: true } open)
        {
            return open;
        }

        if (line is not null)
        {
            await CloseLineAsync().ConfigureAwait(false);
        }

        try
        {
            line = await openLine(cancellationToken).ConfigureAwait(false);
            if (lineWasOpen)
            {
                metrics.Reconnect();
            }

            lineWasOpen = true;
            return line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException or InvalidOperationException or ArgumentException)
        {
            throw new ModbusConnectionException($"Cannot open the line: {e.Message}", e);
        }
    }

    private async ValueTask CloseLineAsync()
    {
        ModbusLine? closing = line;
        line = null;
        if (closing is not null)
        {
            await closing.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask KeepSilenceAsync(CancellationToken cancellationToken)
    {
        long now = time.GetTimestamp();
        if (now < quietUntil)
        {
            await Task.Delay(time.GetElapsedTime(now, quietUntil), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private ModbusUnitCircuit Circuit(byte unitId)
    {
        lock (circuits)
        {
            if (!circuits.TryGetValue(unitId, out ModbusUnitCircuit? circuit))
            {
                circuit = new ModbusUnitCircuit();
                circuits.Add(unitId, circuit);
            }

            return circuit;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
