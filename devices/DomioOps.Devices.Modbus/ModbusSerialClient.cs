using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// Modbus RTU or ASCII client (master) for a bus of several slaves on one serial port, or for RTU/ASCII
/// frames tunnelled over TCP. One request is on the bus at a time, in arrival order, paced by the
/// inter-frame silence. Each unit has its own response timeout and circuit breaker, so a dead slave
/// costs a few timeouts and is then skipped until its open period ends, never stalling the others.
/// </summary>
public sealed class ModbusSerialClient : IModbusClient, IModbusTransport
{
    private readonly Func<CancellationToken, Task<ModbusLine>> openLine;
    private readonly ModbusSerialClientOptions options;
    private readonly TimeProvider time;
    private readonly TimeSpan interFrameDelay;
    private readonly ModbusFunctions functions;
    private readonly SemaphoreSlim bus = new(1, 1);
    private readonly ModbusTransactionPool pool = new(4);
    private readonly byte[] asciiFrame = new byte[ModbusTransaction.BufferLength];
    private readonly Dictionary<byte, UnitCircuit> circuits = [];
    private readonly ModbusClientMetrics metrics;
    private bool lineWasOpen;
    private ModbusLine? line;
    private long quietUntil;
    private bool disposed;

    /// <summary>A master on a serial port.</summary>
    public ModbusSerialClient(ModbusSerialPortOptions port, ModbusSerialClientOptions options, TimeProvider? timeProvider = null)
        : this(
            ct =>
            {
                ArgumentNullException.ThrowIfNull(port);
                var serialPort = port.Open();
                return Task.FromResult(new ModbusLine(serialPort.BaseStream, serialPort));
            },
            options,
            options?.InterFrameDelay ?? port?.InterFrameSilence ?? TimeSpan.Zero,
            timeProvider,
            port?.PortName ?? "")
    {
        ArgumentNullException.ThrowIfNull(port);
        port.Validate();
    }

    internal ModbusSerialClient(
        Func<CancellationToken, Task<ModbusLine>> openLine,
        ModbusSerialClientOptions options,
        TimeSpan interFrameDelay,
        TimeProvider? timeProvider,
        string endpoint = "line",
        bool overTcp = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        metrics = new ModbusClientMetrics((options.Framing == ModbusSerialFraming.Rtu ? "rtu" : "ascii") + (overTcp ? "+tcp" : ""), endpoint);
        this.openLine = openLine;
        this.options = options;
        this.interFrameDelay = interFrameDelay;
        time = timeProvider ?? TimeProvider.System;
        functions = new ModbusFunctions(this);
    }

    int IModbusTransport.PduOffset => 1;

    /// <summary>RTU or ASCII frames over a TCP connection to <paramref name="host"/> (a serial gateway or a device speaking RTU over TCP).</summary>
    public static ModbusSerialClient OverTcp(string host, int port, ModbusSerialClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new ModbusSerialClient(
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

    /// <summary>Opens the port or connection now (requests also open it on demand).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
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
            return circuits.TryGetValue(unitId, out UnitCircuit? circuit) ? circuit.State(time.GetTimestamp()) : ModbusCircuitState.Closed;
        }
    }

    public ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        functions.ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadCoilsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken) =>
        functions.ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, startAddress, destination, cancellationToken);

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        functions.ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadDiscreteInputsAsync(byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken) =>
        functions.ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, startAddress, destination, cancellationToken);

    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        functions.ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadHoldingRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken) =>
        functions.ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, startAddress, destination, cancellationToken);

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort startAddress, ushort count, CancellationToken cancellationToken) =>
        functions.ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, startAddress, count, cancellationToken);

    public ValueTask ReadInputRegistersAsync(byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken) =>
        functions.ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, startAddress, destination, cancellationToken);

    public ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken) =>
        functions.WriteSingleAsync(ModbusFunctionCode.WriteSingleCoil, unitId, address, value ? ModbusPdu.CoilOn : (ushort)0, cancellationToken);

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken) =>
        functions.WriteSingleAsync(ModbusFunctionCode.WriteSingleRegister, unitId, address, value, cancellationToken);

    public ValueTask WriteMultipleCoilsAsync(byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken) =>
        functions.WriteMultipleCoilsAsync(unitId, startAddress, values, cancellationToken);

    public ValueTask WriteMultipleRegistersAsync(byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken) =>
        functions.WriteMultipleRegistersAsync(unitId, startAddress, values, cancellationToken);

    public ValueTask MaskWriteRegisterAsync(byte unitId, ushort address, ushort andMask, ushort orMask, CancellationToken cancellationToken) =>
        functions.MaskWriteRegisterAsync(unitId, address, andMask, orMask, cancellationToken);

    public ValueTask<ushort[]> ReadWriteMultipleRegistersAsync(
        byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken) =>
        functions.ReadWriteMultipleRegistersAsync(unitId, readAddress, readCount, writeAddress, values, cancellationToken);

    public ValueTask<ModbusDeviceIdentification> ReadDeviceIdentificationAsync(
        byte unitId, ModbusDeviceIdCategory category, CancellationToken cancellationToken) =>
        functions.ReadDeviceIdentificationAsync(unitId, category, cancellationToken);

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

    ModbusTransaction IModbusTransport.Rent() => pool.Rent();

    void IModbusTransport.Return(ModbusTransaction transaction) => pool.Return(transaction);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<int> IModbusTransport.TransactAsync(byte unitId, ModbusTransaction request, int pduLength, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (unitId == 0 && !ModbusRequestHandler.IsWrite(request.Buffer[1]))
        {
            throw new ArgumentException("Unit 0 is the broadcast address: only writes can be broadcast.", nameof(unitId));
        }

        UnitCircuit circuit = Circuit(unitId);
        await bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            circuit.ThrowIfOpen(unitId, time.GetTimestamp(), time);
            ModbusLine current = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await KeepSilenceAsync(cancellationToken).ConfigureAwait(false);
            current.DiscardInput();

            ReadOnlyMemory<byte> frame = options.Framing == ModbusSerialFraming.Rtu
                ? request.Buffer.AsMemory(0, RtuFrame.Write(request.Buffer, unitId, request.Buffer.AsSpan(1, pduLength)))
                : asciiFrame.AsMemory(0, AsciiFrame.Write(asciiFrame, unitId, request.Buffer.AsSpan(1, pduLength)));
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
                // A broadcast has no answer (§2.1); the "echo" the functions check is the request itself.
                quietUntil = time.GetTimestamp() + Ticks(options.BroadcastTurnaround);
                request.Buffer.AsSpan(1, 5).CopyTo(request.Buffer);
                return 5;
            }

            TimeSpan timeout = options.UnitResponseTimeouts.GetValueOrDefault(unitId, options.ResponseTimeout);
            byte function = request.Buffer[1];
            metrics.Request(function);
            long start = time.GetTimestamp();
            try
            {
                int length = await ReadResponseAsync(current, unitId, request.Buffer, timeout, cancellationToken).ConfigureAwait(false);
                metrics.Answered(function, unitId, request.Buffer.AsSpan(0, length), time.GetElapsedTime(start));
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
            byte address;
            int pduLength;
            try
            {
                framed = options.Framing == ModbusSerialFraming.Rtu
                    ? RtuFrame.TryReadResponse(ref buffer, destination, out address, out pduLength)
                    : AsciiFrame.TryRead(ref buffer, destination, out address, out pduLength);
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
                if (address != unitId)
                {
                    throw new ModbusProtocolException($"Answer from unit {address}; the request went to unit {unitId}.");
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

    private UnitCircuit Circuit(byte unitId)
    {
        lock (circuits)
        {
            if (!circuits.TryGetValue(unitId, out UnitCircuit? circuit))
            {
                circuit = new UnitCircuit();
                circuits.Add(unitId, circuit);
            }

            return circuit;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    /// <summary>Consecutive failures of one unit; opens after a threshold, lets one trial through after the open period.</summary>
    private sealed class UnitCircuit
    {
        private int failures;
        private long openUntil;
        private bool open;

        public ModbusCircuitState State(long now) => !open ? ModbusCircuitState.Closed : now < openUntil ? ModbusCircuitState.Open : ModbusCircuitState.HalfOpen;

        public void ThrowIfOpen(byte unitId, long now, TimeProvider time)
        {
            if (open && now < openUntil)
            {
                throw new ModbusCircuitOpenException(
                    $"Unit {unitId} failed {failures} times in a row; requests are refused for another {time.GetElapsedTime(now, openUntil).TotalMilliseconds:F0} ms.");
            }
        }

        public void Succeeded()
        {
            failures = 0;
            open = false;
        }

        /// <summary>Counts a failure; true when it opened the circuit (or reopened it after a failed trial).</summary>
        public bool Failed(long now, int threshold, long openTicks)
        {
            failures++;
            if (open || failures >= threshold)
            {
                bool opened = !open || now >= openUntil;
                open = true;
                openUntil = now + openTicks;
                return opened;
            }

            return false;
        }
    }
}
