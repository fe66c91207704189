using System.Net.Sockets;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// One TCP connection of a Modbus TCP client with pipelining: requests carry transaction ids,
/// responses are matched by id in any order (Messaging on TCP/IP Implementation Guide v1.0b, §4.2).
/// The pending table is owned by <see cref="_gate"/>; whoever removes a transaction from it completes it.
/// </summary>
/// <remarks>
/// The connection's own thread connects and then reads with blocking calls, as libmodbus's client does: an
/// answer wakes exactly one thread, where .NET's asynchronous sockets on Linux wake the epoll thread and then
/// a thread-pool thread. That thread completes each answered request inline, so the caller's continuation runs
/// on it; a request the caller sends from there is queued and all of them leave in one send once every answer
/// of that receive is delivered (one receive, many answers; one send, many requests). Timeouts, cancellation and
/// connection loss complete requests asynchronously, never inline on a timer's or canceller's thread.
/// A caller that blocks on this thread (sync-over-async on the same client) delays the other answers until its
/// own request times out.
/// </remarks>
internal sealed class MbapConnection : IDisposable
{
    /// <summary>Room for many pipelined answers per receive; a frame never needs more than 260 bytes.</summary>
    private const int ReceiveBufferLength = 16 * 1024;

    private readonly Socket _socket;
    private readonly string _endpoint;
    private readonly Thread _reader;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendGate = new();
    private byte[] _queued = new byte[4096];
    private int _queuedLength;
    private byte[] _sending = new byte[4096];
    private bool _sendInProgress;
    private bool _delivering;
    private readonly Lock _gate = new();
    private readonly Dictionary<ushort, ModbusTransaction> _pending = [];
    private readonly List<ModbusTransaction> _expired = [];
    private ushort _nextTransactionId;
    private Exception? _closeReason;
    private bool _answered;

    private MbapConnection(string host, int port)
    {
        _endpoint = $"{host}:{port}";
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _reader = new Thread(() => Run(host, port), maxStackSize: 256 * 1024) { IsBackground = true, Name = $"Modbus TCP {_endpoint}" };
    }

    public bool IsOpen => Volatile.Read(ref _closeReason) is null;

    /// <summary>True on the connection's own thread (in a continuation of an answer).</summary>
    public bool IsReadingThread => Thread.CurrentThread == _reader;

    /// <summary>Completes when the reading thread has ended.</summary>
    public Task Completion => _completion.Task;

    public static async Task<MbapConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = new MbapConnection(host, port);
        connection._reader.Start();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            // A blocking connect keeps the socket in blocking mode (an asynchronous one would switch it for good);
            // disposing the socket is how the wait is cut short.
            await using (timeoutSource.Token.UnsafeRegister(static s => ((MbapConnection)s!)._socket.Dispose(), connection).ConfigureAwait(false))
            {
                await connection._connected.Task.ConfigureAwait(false);
            }

            return connection;
        }
        catch (Exception e) when (timeoutSource.IsCancellationRequested && e is SocketException or ObjectDisposedException)
        {
            connection.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request PDU at <c>Buffer[7..]</c> and returns the response PDU length once it is in the buffer.</summary>
    public ValueTask<int> TransactAsync(ModbusTransaction transaction, byte unitId, int pduLength, long deadline, CancellationToken cancellationToken)
    {
        ushort transactionId;
        lock (_gate)
        {
            if (_closeReason is not null)
            {
                throw new ModbusConnectionException($"The connection is closed: {_closeReason.Message}", _closeReason);
            }

            do
            {
                transactionId = _nextTransactionId++;
            }
            while (_pending.ContainsKey(transactionId));

            transaction.TransactionId = transactionId;
            transaction.UnitId = unitId;
            transaction.Function = (ModbusFunctionCode)transaction.Buffer[MbapFrame.HeaderLength];
            transaction.Deadline = deadline;
            transaction.Owner = this;
            _pending.Add(transactionId, transaction);
        }

        if (cancellationToken.CanBeCanceled)
        {
            transaction.Cancellation = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var t = (ModbusTransaction)state!;
                    if (t.Owner is MbapConnection c)
                    {
                        c.Fail(t, new OperationCanceledException(token));
                    }
                },
                transaction);
        }

        var aduLength = MbapFrame.WriteHeader(transaction.Buffer, transactionId, unitId, pduLength);
        try
        {
            Send(transaction.Buffer.AsSpan(0, aduLength));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(new ModbusConnectionException("Sending the request failed.", e));
        }

        // Without a cancellation registration the caller awaits the pooled transaction itself: no state machine.
        return cancellationToken.CanBeCanceled ? CompleteCancellableAsync(transaction) : transaction.Completion;
    }

    /// <summary>Waits for the answer, then removes the cancellation callback (waiting for it if it is running, so it never sees the transaction reused).</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> CompleteCancellableAsync(ModbusTransaction transaction)
    {
        try
        {
            return await transaction.Completion.ConfigureAwait(false);
        }
        finally
        {
            await transaction.Cancellation.DisposeAsync().ConfigureAwait(false);
            transaction.Cancellation = default;
        }
    }

    public void Dispose()
    {
        Close(new ModbusConnectionException("The connection was disposed."));
    }

    /// <summary>Fails every transaction whose deadline has passed.</summary>
    public void FailExpired(long now)
    {
        lock (_gate)
        {
            foreach (var t in _pending.Values)
            {
                if (t.Deadline <= now)
                {
                    _expired.Add(t);
                }
            }

            foreach (var t in _expired)
            {
                _pending.Remove(t.TransactionId);
            }
        }

        foreach (var t in _expired)
        {
            t.SetException(new ModbusTimeoutException($"No response from unit {t.UnitId} to function 0x{(byte)t.Function:X2} (transaction {t.TransactionId})."));
        }

        _expired.Clear();
    }

    /// <summary>Closes the socket and fails every transaction in flight with <paramref name="reason"/>.</summary>
    public void Close(Exception reason)
    {
        List<ModbusTransaction> inFlight;
        lock (_gate)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            inFlight = [.. _pending.Values];
            _pending.Clear();
        }

        try
        {
            // Wakes the reading thread out of its blocking receive.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected (yet), or already closed.
        }

        _socket.Dispose();
        foreach (var t in inFlight)
        {
            t.SetException(new ModbusConnectionException(
                $"The connection to {_endpoint} closed with function 0x{(byte)t.Function:X2} to unit {t.UnitId} in flight: {reason.Message}", reason));
        }
    }

    /// <summary>
    /// Group send: a request joins the queue; whoever finds no send in progress sends everything queued,
    /// so pipelined requests share system calls. On the reading thread, while it delivers answers, requests
    /// only queue: it sends them together after the last answer of the receive. No allocation: two buffers swap roles.
    /// </summary>
    private void Send(ReadOnlySpan<byte> adu)
    {
        lock (_sendGate)
        {
            if (_queuedLength + adu.Length > _queued.Length)
            {
                Array.Resize(ref _queued, Math.Max(_queued.Length * 2, _queuedLength + adu.Length));
            }

            adu.CopyTo(_queued.AsSpan(_queuedLength));
            _queuedLength += adu.Length;
            if (_sendInProgress || (_delivering && IsReadingThread))
            {
                return;
            }

            _sendInProgress = true;
        }

        SendQueued();
    }

    /// <summary>Sends until the queue is empty; the caller has set <see cref="_sendInProgress"/>.</summary>
    private void SendQueued()
    {
        try
        {
            while (true)
            {
                int length;
                lock (_sendGate)
                {
                    if (_queuedLength == 0)
                    {
                        _sendInProgress = false;
                        return;
                    }

                    (_queued, _sending) = (_sending, _queued);
                    length = _queuedLength;
                    _queuedLength = 0;
                }

                for (var sent = 0; sent < length;)
                {
                    sent += _socket.Send(_sending.AsSpan(sent, length - sent), SocketFlags.None);
                }
            }
        }
        catch
        {
            lock (_sendGate)
            {
                _sendInProgress = false;
                _queuedLength = 0;
            }

            throw;
        }
    }

    private bool Fail(ModbusTransaction transaction, Exception error)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(transaction.TransactionId, out var current) || current != transaction)
            {
                return false;
            }

            _pending.Remove(transaction.TransactionId);
        }

        transaction.SetException(error);
        return true;
    }

    private void Run(string host, int port)
    {
        try
        {
            _socket.Connect(host, port);
        }
        catch (Exception e)
        {
            _connected.TrySetException(e);
            _completion.TrySetResult();
            return;
        }

        _connected.TrySetResult();
        try
        {
            ReadLoop();
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[ReceiveBufferLength];
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                if (buffer.Length - end < MbapFrame.MaxAduLength)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                var received = _socket.Receive(buffer.AsSpan(end), SocketFlags.None);
                if (received == 0)
                {
                    Close(new ModbusConnectionException(start == end
                        ? $"The server {_endpoint} closed the connection{NeverAnswered}."
                        : $"The server {_endpoint} closed the connection inside a frame ({end - start} bytes pending)."));
                    return;
                }

                end += received;
                _answered = true;
                _delivering = true;
                try
                {
                    while (MbapFrame.TryRead(buffer.AsSpan(start, end - start), out var frameLength, out var transactionId, out var unitId, out var pduLength))
                    {
                        Deliver(transactionId, unitId, buffer.AsSpan(start + MbapFrame.HeaderLength, pduLength));
                        start += frameLength;
                    }
                }
                finally
                {
                    _delivering = false;
                }

                if (start == end)
                {
                    start = end = 0;
                }

                FlushQueued();
            }
        }
        catch (ModbusProtocolException e)
        {
            // An MBAP stream cannot be resynchronised after a bad header: drop the connection.
            Close(e);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(new ModbusConnectionException($"The connection to {_endpoint} failed{NeverAnswered}.", e));
        }
    }

    /// <summary>What a connection closed before its first answer suggests: a server that accepts and drops connections beyond its limit.</summary>
    private string NeverAnswered => _answered
        ? ""
        : " before answering anything (it may be at its connection limit: many devices and gateways serve only a few connections at once)";

    /// <summary>Sends what callers queued while this thread delivered answers, unless another thread is sending it already.</summary>
    private void FlushQueued()
    {
        lock (_sendGate)
        {
            if (_sendInProgress || _queuedLength == 0)
            {
                return;
            }

            _sendInProgress = true;
        }

        SendQueued();
    }

    private void Deliver(ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        ModbusTransaction? transaction;
        lock (_gate)
        {
            // An unknown id is a late answer to a request that already timed out: drop it.
            if (!_pending.Remove(transactionId, out transaction))
            {
                return;
            }
        }

        if (unitId != transaction.UnitId)
        {
            transaction.SetException(new ModbusProtocolException(
                $"Response to transaction {transactionId} names unit {unitId}; the request went to unit {transaction.UnitId}."));
            return;
        }

        pdu.CopyTo(transaction.Buffer);
        transaction.SetResultInline(pdu.Length);
    }
}
