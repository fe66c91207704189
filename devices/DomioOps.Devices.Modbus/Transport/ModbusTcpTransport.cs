using System.Net.Sockets;
using System.Runtime.CompilerServices;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// Modbus TCP (MBAP) with pipelining: up to <see cref="ModbusTcpClientOptions.MaxInFlight"/> requests share one
/// <see cref="MbapConnection"/>, matched by transaction id. A lost connection is opened again on the next request,
/// with exponential back-off after failed attempts; a read that lost its connection is sent again
/// (<see cref="ModbusTcpClientOptions.ReadRetries"/>), a write never; too many consecutive timeouts drop the connection.
/// </summary>
internal sealed class ModbusTcpTransport : IModbusTransport
{
    private readonly ModbusTcpClientOptions options;
    private readonly TimeProvider time;
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

    public ModbusTcpTransport(ModbusTcpClientOptions options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        time = timeProvider ?? TimeProvider.System;
        metrics = new ModbusClientMetrics("tcp", $"{options.Host}:{options.Port}");
        inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        pool = new ModbusTransactionPool(options.MaxInFlight);
        reconnectDelay = options.MinReconnectDelay;
        responseTimeoutTicks = (long)(options.ResponseTimeout.TotalSeconds * time.TimestampFrequency);
        TimeSpan sweepPeriod = TimeSpan.FromTicks(Math.Clamp(options.ResponseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond, 250 * TimeSpan.TicksPerMillisecond));
        timeoutSweep = time.CreateTimer(static s => ((ModbusTcpTransport)s!).connection?.FailExpired(((ModbusTcpTransport)s!).time.GetTimestamp()), this, sweepPeriod, sweepPeriod);
    }

    public int PduOffset => MbapFrame.HeaderLength;

    public bool IsOpen => connection?.IsOpen == true;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureConnectedAsync(ignoreBackoff: true, cancellationToken).ConfigureAwait(false);
    }

    public ModbusTransaction Rent() => pool.Rent();

    public void Return(ModbusTransaction transaction) => pool.Return(transaction);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken)
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
