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
    private readonly ModbusTcpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ModbusTransactionPool _pool;
    private readonly ITimer _timeoutSweep;
    private readonly long _responseTimeoutTicks;
    private readonly ModbusClientMetrics _metrics;
    private MbapConnection? _connection;
    private int _consecutiveTimeouts;
    private TimeSpan _reconnectDelay;
    private long _nextConnectAttempt;
    private Exception? _lastConnectError;
    private bool _disposed;

    public ModbusTcpTransport(ModbusTcpClientOptions options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this._options = options;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new ModbusClientMetrics("tcp", $"{options.Host}:{options.Port}");
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _pool = new ModbusTransactionPool(options.MaxInFlight);
        _reconnectDelay = options.MinReconnectDelay;
        _responseTimeoutTicks = (long)(options.ResponseTimeout.TotalSeconds * _time.TimestampFrequency);
        var sweepPeriod = TimeSpan.FromTicks(Math.Clamp(options.ResponseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond, 250 * TimeSpan.TicksPerMillisecond));
        _timeoutSweep = _time.CreateTimer(static s => ((ModbusTcpTransport)s!)._connection?.FailExpired(((ModbusTcpTransport)s!)._time.GetTimestamp()), this, sweepPeriod, sweepPeriod);
    }

    public int PduOffset => MbapFrame.HeaderLength;

    public bool IsOpen => _connection?.IsOpen == true;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureConnectedAsync(ignoreBackoff: true, cancellationToken).ConfigureAwait(false);
    }

    public ModbusTransaction Rent() => _pool.Rent();

    public void Return(ModbusTransaction transaction) => _pool.Return(transaction);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var current = _connection is { IsOpen: true } open
                    ? open
                    : await EnsureConnectedAsync(ignoreBackoff: false, cancellationToken).ConfigureAwait(false);
                var function = transaction.Buffer[MbapFrame.HeaderLength];
                _metrics.Request(function);
                var start = _time.GetTimestamp();
                try
                {
                    var length = await current.TransactAsync(
                        transaction, unitId, pduLength, start + _responseTimeoutTicks, cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref _consecutiveTimeouts, 0);
                    _metrics.Answered(function, unitId, transaction.Buffer.AsSpan(0, length), _time.GetElapsedTime(start));
                    return length;
                }
                catch (ModbusTimeoutException e)
                {
                    _metrics.Timeout(unitId);
                    if (Interlocked.Increment(ref _consecutiveTimeouts) >= _options.TimeoutsBeforeReconnect)
                    {
                        Volatile.Write(ref _consecutiveTimeouts, 0);
                        current.Close(new ModbusConnectionException("Too many consecutive timeouts; reconnecting.", e));
                    }

                    throw;
                }
                catch (ModbusConnectionException) when (idempotent && attempt < _options.ReadRetries && !_disposed)
                {
                    transaction.Reset();
                }
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _timeoutSweep.DisposeAsync().ConfigureAwait(false);
        var current = _connection;
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

        _connectLock.Dispose();
        _inFlight.Dispose();
    }

    private async ValueTask<MbapConnection> EnsureConnectedAsync(bool ignoreBackoff, CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsOpen: true } open)
            {
                return open;
            }

            var now = _time.GetTimestamp();
            if (!ignoreBackoff && now < _nextConnectAttempt)
            {
                throw new ModbusConnectionException(
                    $"Not connected to {_options.Host}:{_options.Port}; next attempt in {_time.GetElapsedTime(now, _nextConnectAttempt).TotalMilliseconds:F0} ms.",
                    _lastConnectError!);
            }

            try
            {
                var reconnect = _connection is not null;
                _connection?.Dispose();
                _connection = await MbapConnection.ConnectAsync(_options.Host, _options.Port, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                if (reconnect)
                {
                    _metrics.Reconnect();
                }

                _reconnectDelay = _options.MinReconnectDelay;
                _nextConnectAttempt = 0;
                _lastConnectError = null;
                return _connection;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                _lastConnectError = e;
                _nextConnectAttempt = now + (long)(_reconnectDelay.TotalSeconds * _time.TimestampFrequency);
                _reconnectDelay = TimeSpan.FromTicks(Math.Min(_reconnectDelay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                throw new ModbusConnectionException($"Cannot connect to {_options.Host}:{_options.Port}: {e.Message}", e);
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
