using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// Modbus TCP client with pipelining: up to <see cref="ModbusTcpClientOptions.MaxInFlight"/> requests
/// share one connection, matched by transaction id. Thread-safe. A lost connection is opened again
/// on the next request, with exponential back-off after failed attempts.
/// </summary>
/// <remarks>
/// Each connection has one thread of its own that receives with blocking calls, as libmodbus does, so an answer
/// wakes one thread instead of two (.NET's socket event thread, then a thread-pool thread). Answers complete on
/// that thread: the code after <c>await client.ReadHoldingRegistersAsync(...)</c> runs there until its next
/// <c>await</c>, and requests it sends meanwhile leave together in one send. Keep that code short and never
/// block it waiting for another request of the same client (sync-over-async): answers would wait behind it until
/// the request times out. Timeouts, cancellations and connection losses complete requests on thread-pool threads.
/// A read into a caller's buffer (the <c>Memory</c> overloads) allocates nothing once warm; requests started from
/// many threads at once can miss .NET's small per-thread caches of pooled async state and allocate it (about 260 B
/// per request measured with 8 in flight, see benchmarks/README.md). Metrics: <see cref="ModbusMetrics"/>.
/// </remarks>
public sealed class ModbusTcpClient : IModbusClient, IModbusTransport
{
    private readonly ModbusTcpClientOptions options;
    private readonly TimeProvider time;
    private readonly ModbusFunctions functions;
    private readonly SemaphoreSlim inFlight;
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private readonly ModbusTransactionPool pool;
    private readonly ITimer timeoutSweep;
    private readonly long responseTimeoutTicks;
    private readonly ModbusClientMetrics metrics;
    private MbapConnection? connection;
    private int consecutiveTimeouts;
    private TimeSpan reconnectDelay;
    private long nextConnectAttempt;
    private Exception? lastConnectError;
    private bool disposed;

    public ModbusTcpClient(ModbusTcpClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        time = timeProvider ?? TimeProvider.System;
        functions = new ModbusFunctions(this);
        metrics = new ModbusClientMetrics("tcp", $"{options.Host}:{options.Port}");
        inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        pool = new ModbusTransactionPool(options.MaxInFlight);
        reconnectDelay = options.MinReconnectDelay;
        responseTimeoutTicks = (long)(options.ResponseTimeout.TotalSeconds * time.TimestampFrequency);
        TimeSpan sweepPeriod = TimeSpan.FromTicks(Math.Clamp(options.ResponseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond, 250 * TimeSpan.TicksPerMillisecond));
        timeoutSweep = time.CreateTimer(static s => ((ModbusTcpClient)s!).connection?.FailExpired(((ModbusTcpClient)s!).time.GetTimestamp()), this, sweepPeriod, sweepPeriod);
    }

    /// <summary>True while a connection is open.</summary>
    public bool IsConnected => connection?.IsOpen == true;

    int IModbusTransport.PduOffset => MbapFrame.HeaderLength;

    /// <summary>Opens the connection now (requests also open it on demand). Throws <see cref="ModbusConnectionException"/>.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await EnsureConnectedAsync(ignoreBackoff: true, cancellationToken).ConfigureAwait(false);
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
        await timeoutSweep.DisposeAsync().ConfigureAwait(false);
        MbapConnection? current = connection;
        if (current is not null)
        {
            current.Close(new ModbusConnectionException("The client was disposed."));
            if (!current.IsReadingThread)
            {
                // Disposed from a continuation of an answer runs on the reading thread itself: it ends once this returns.
                await current.Completion.ConfigureAwait(false);
            }

            current.Dispose();
        }

        connectLock.Dispose();
        inFlight.Dispose();
    }

    ModbusTransaction IModbusTransport.Rent() => pool.Rent();

    void IModbusTransport.Return(ModbusTransaction transaction) => pool.Return(transaction);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<int> IModbusTransport.TransactAsync(
        byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                MbapConnection current = connection is { IsOpen: true } open
                    ? open
                    : await EnsureConnectedAsync(ignoreBackoff: false, cancellationToken).ConfigureAwait(false);
                byte function = transaction.Buffer[MbapFrame.HeaderLength];
                metrics.Request(function);
                long start = time.GetTimestamp();
                try
                {
                    int length = await current.TransactAsync(
                        transaction, unitId, pduLength, start + responseTimeoutTicks, cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref consecutiveTimeouts, 0);
                    metrics.Answered(function, unitId, transaction.Buffer.AsSpan(0, length), time.GetElapsedTime(start));
                    return length;
                }
                catch (ModbusTimeoutException e)
                {
                    metrics.Timeout(unitId);
                    if (Interlocked.Increment(ref consecutiveTimeouts) >= options.TimeoutsBeforeReconnect)
                    {
                        Volatile.Write(ref consecutiveTimeouts, 0);
                        current.Close(new ModbusConnectionException("Too many consecutive timeouts; reconnecting.", e));
                    }

                    throw;
                }
                catch (ModbusConnectionException) when (idempotent && attempt < options.ReadRetries && !disposed)
                {
                    transaction.Reset();
                }
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async ValueTask<MbapConnection> EnsureConnectedAsync(bool ignoreBackoff, CancellationToken cancellationToken)
    {
        await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connection is { IsOpen: true } open)
            {
                return open;
            }

            long now = time.GetTimestamp();
            if (!ignoreBackoff && now < nextConnectAttempt)
            {
                throw new ModbusConnectionException(
                    $"Not connected to {options.Host}:{options.Port}; next attempt in {time.GetElapsedTime(now, nextConnectAttempt).TotalMilliseconds:F0} ms.",
                    lastConnectError!);
            }

            try
            {
                bool reconnect = connection is not null;
                connection?.Dispose();
                connection = await MbapConnection.ConnectAsync(options.Host, options.Port, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                if (reconnect)
                {
                    metrics.Reconnect();
                }

                reconnectDelay = options.MinReconnectDelay;
                nextConnectAttempt = 0;
                lastConnectError = null;
                return connection;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lastConnectError = e;
                nextConnectAttempt = now + (long)(reconnectDelay.TotalSeconds * time.TimestampFrequency);
                reconnectDelay = TimeSpan.FromTicks(Math.Min(reconnectDelay.Ticks * 2, options.MaxReconnectDelay.Ticks));
                throw new ModbusConnectionException($"Cannot connect to {options.Host}:{options.Port}: {e.Message}", e);
            }
        }
        finally
        {
            connectLock.Release();
        }
    }
}
