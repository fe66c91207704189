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
    private readonly Func<CancellationToken, Task<ModbusLine>> _openLine;
    private readonly ModbusSerialClientOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interFrameDelay;
    private readonly SemaphoreSlim _bus = new(1, 1);
    private readonly ModbusTransactionPool _pool = new(4);
    private readonly byte[] _asciiFrame = new byte[ModbusTransaction.BufferLength];
    private readonly Dictionary<byte, ModbusUnitCircuit> _circuits = [];
    private readonly ModbusClientMetrics _metrics;
    private bool _lineWasOpen;
    private ModbusLine? _line;
    private long _quietUntil;
    private bool _disposed;

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
        _metrics = new ModbusClientMetrics((options.Framing == ModbusSerialFraming.Rtu ? "rtu" : "ascii") + (overTcp ? "+tcp" : ""), endpoint);
        this._openLine = openLine;
        this._options = options;
        this._interFrameDelay = interFrameDelay;
        _time = timeProvider ?? TimeProvider.System;
    }

    public int PduOffset => 1;

    public bool IsOpen => _line is { IsOpen: true };

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
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _bus.Release();
        }
    }

    /// <summary>The circuit breaker state of <paramref name="unitId"/>.</summary>
    public ModbusCircuitState GetCircuitState(byte unitId)
    {
        lock (_circuits)
        {
            return _circuits.TryGetValue(unitId, out var circuit) ? circuit.State(_time.GetTimestamp()) : ModbusCircuitState.Closed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _bus.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_line is not null)
            {
                await _line.DisposeAsync().ConfigureAwait(false);
                _line = null;
            }
        }
        finally
        {
            _bus.Release();
        }
    }

    public ModbusTransaction Rent() => _pool.Rent();

    public void Return(ModbusTransaction transaction) => _pool.Return(transaction);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (unitId == 0 && !ModbusPdu.IsWrite(transaction.Buffer[1]))
        {
            throw new ArgumentException("Unit 0 is the broadcast address: only writes can be broadcast.", nameof(unitId));
        }

        var circuit = Circuit(unitId);
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            circuit.ThrowIfOpen(unitId, _time.GetTimestamp(), _time);
            var current = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await KeepSilenceAsync(cancellationToken).ConfigureAwait(false);
            current.DiscardInput();

            ReadOnlyMemory<byte> frame = _options.Framing == ModbusSerialFraming.Rtu
                ? transaction.Buffer.AsMemory(0, RtuFrame.Write(transaction.Buffer, unitId, transaction.Buffer.AsSpan(1, pduLength)))
                : _asciiFrame.AsMemory(0, AsciiFrame.Write(_asciiFrame, unitId, transaction.Buffer.AsSpan(1, pduLength)));
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
                _quietUntil = _time.GetTimestamp() + Ticks(_options.BroadcastTurnaround);
                transaction.Buffer.AsSpan(1, 5).CopyTo(transaction.Buffer);
                return 5;
            }

            var timeout = _options.UnitResponseTimeouts.GetValueOrDefault(unitId, _options.ResponseTimeout);
            var function = transaction.Buffer[1];
            _metrics.Request(function);
            var start = _time.GetTimestamp();
            try
            {
                var length = await ReadResponseAsync(current, unitId, transaction.Buffer, timeout, cancellationToken).ConfigureAwait(false);
                _metrics.Answered(function, unitId, transaction.Buffer.AsSpan(0, length), _time.GetElapsedTime(start));
                circuit.Succeeded();
                return length;
            }
            catch (Exception e) when (e is ModbusTimeoutException or ModbusProtocolException)
            {
                if (e is ModbusTimeoutException)
                {
                    _metrics.Timeout(unitId);
                }
                else if (((ModbusProtocolException)e).IsChecksumMismatch)
                {
                    _metrics.ChecksumError(_options.Framing);
                }

                if (circuit.Failed(_time.GetTimestamp(), _options.FailuresBeforeOpen, Ticks(_options.OpenDuration)))
                {
                    _metrics.CircuitOpened(unitId);
                }

                throw;
            }
            finally
            {
                _quietUntil = _time.GetTimestamp() + Ticks(_interFrameDelay);
            }
        }
        finally
        {
            _bus.Release();
        }
    }

    private async Task<int> ReadResponseAsync(ModbusLine current, byte unitId, byte[] destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var input = current.Input;
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

            var buffer = result.Buffer;
            bool framed;
            byte answeredBy;
            int pduLength;
            try
            {
                framed = _options.Framing == ModbusSerialFraming.Rtu
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
        if (_line is { IsOpen: true } open)
        {
            return open;
        }

        if (_line is not null)
        {
            await CloseLineAsync().ConfigureAwait(false);
        }

        try
        {
            _line = await _openLine(cancellationToken).ConfigureAwait(false);
            if (_lineWasOpen)
            {
                _metrics.Reconnect();
            }

            _lineWasOpen = true;
            return _line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException or InvalidOperationException or ArgumentException)
        {
            throw new ModbusConnectionException($"Cannot open the line: {e.Message}", e);
        }
    }

    private async ValueTask CloseLineAsync()
    {
        var closing = _line;
        _line = null;
        if (closing is not null)
        {
            await closing.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask KeepSilenceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (now < _quietUntil)
        {
            await Task.Delay(_time.GetElapsedTime(now, _quietUntil), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private ModbusUnitCircuit Circuit(byte unitId)
    {
        lock (_circuits)
        {
            if (!_circuits.TryGetValue(unitId, out var circuit))
            {
                circuit = new ModbusUnitCircuit();
                _circuits.Add(unitId, circuit);
            }

            return circuit;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
