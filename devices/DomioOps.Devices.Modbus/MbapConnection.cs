using System.Net.Sockets;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// One TCP connection of a Modbus TCP client with pipelining: requests carry transaction ids,
/// responses are matched by id in any order (Messaging on TCP/IP Implementation Guide v1.0b, §4.2).
/// The pending table is owned by <see cref="gate"/>; whoever removes a transaction from it completes it.
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

    private readonly Socket socket;
    private readonly string endpoint;
    private readonly Thread reader;
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock sendGate = new();
    private byte[] queued = new byte[4096];
    private int queuedLength;
    private byte[] sending = new byte[4096];
    private bool sendInProgress;
    private bool delivering;
    private readonly Lock gate = new();
    private readonly Dictionary<ushort, ModbusTransaction> pending = [];
    private readonly List<ModbusTransaction> expired = [];
    private ushort nextTransactionId;
    private Exception? closeReason;

    private MbapConnection(string host, int port)
    {
        endpoint = $"{host}:{port}";
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        reader = new Thread(() => Run(host, port), maxStackSize: 256 * 1024) { IsBackground = true, Name = $"Modbus TCP {endpoint}" };
    }

    public bool IsOpen => Volatile.Read(ref closeReason) is null;

    /// <summary>True on the connection's own thread (in a continuation of an answer).</summary>
    public bool IsReadingThread => Thread.CurrentThread == reader;

    /// <summary>Completes when the reading thread has ended.</summary>
    public Task Completion => completion.Task;

    public static async Task<MbapConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = new MbapConnection(host, port);
        connection.reader.Start();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            // A blocking connect keeps the socket in blocking mode (an asynchronous one would switch it for good);
            // disposing the socket is how the wait is cut short.
            await using (timeoutSource.Token.UnsafeRegister(static s => ((MbapConnection)s!).socket.Dispose(), connection).ConfigureAwait(false))
            {
                await connection.connected.Task.ConfigureAwait(false);
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
        lock (gate)
        {
            if (closeReason is not null)
            {
                throw new ModbusConnectionException("The connection is closed.", closeReason);
            }

            do
            {
                transactionId = nextTransactionId++;
            }
            while (pending.ContainsKey(transactionId));

            transaction.TransactionId = transactionId;
            transaction.UnitId = unitId;
            transaction.Function = (ModbusFunctionCode)transaction.Buffer[MbapFrame.HeaderLength];
            transaction.Deadline = deadline;
            transaction.Owner = this;
            pending.Add(transactionId, transaction);
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

        int aduLength = MbapFrame.WriteHeader(transaction.Buffer, transactionId, unitId, pduLength);
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
        lock (gate)
        {
            foreach (ModbusTransaction t in pending.Values)
            {
                if (t.Deadline <= now)
                {
                    expired.Add(t);
                }
            }

            foreach (ModbusTransaction t in expired)
            {
                pending.Remove(t.TransactionId);
            }
        }

        foreach (ModbusTransaction t in expired)
        {
            t.SetException(new ModbusTimeoutException($"No response from unit {t.UnitId} to function 0x{(byte)t.Function:X2} (transaction {t.TransactionId})."));
        }

        expired.Clear();
    }

    /// <summary>Closes the socket and fails every transaction in flight with <paramref name="reason"/>.</summary>
    public void Close(Exception reason)
    {
        List<ModbusTransaction> inFlight;
        lock (gate)
        {
            if (closeReason is not null)
            {
                return;
            }

            closeReason = reason;
            inFlight = [.. pending.Values];
            pending.Clear();
        }

        try
        {
            // Wakes the reading thread out of its blocking receive.
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected (yet), or already closed.
        }

        socket.Dispose();
        foreach (ModbusTransaction t in inFlight)
        {
            t.SetException(new ModbusConnectionException(
                $"The connection to {endpoint} closed with function 0x{(byte)t.Function:X2} to unit {t.UnitId} in flight: {reason.Message}", reason));
        }
    }

    /// <summary>
    /// Group send: a request joins the queue; whoever finds no send in progress sends everything queued,
    /// so pipelined requests share system calls. On the reading thread, while it delivers answers, requests
    /// only queue: it sends them together after the last answer of the receive. No allocation: two buffers swap roles.
    /// </summary>
    private void Send(ReadOnlySpan<byte> adu)
    {
        lock (sendGate)
        {
            if (queuedLength + adu.Length > queued.Length)
            {
                Array.Resize(ref queued, Math.Max(queued.Length * 2, queuedLength + adu.Length));
            }

            adu.CopyTo(queued.AsSpan(queuedLength));
            queuedLength += adu.Length;
            if (sendInProgress || (delivering && IsReadingThread))
            {
                return;
            }

            sendInProgress = true;
        }

        SendQueued();
    }

    /// <summary>Sends until the queue is empty; the caller has set <see cref="sendInProgress"/>.</summary>
    private void SendQueued()
    {
        try
        {
            while (true)
            {
                int length;
                lock (sendGate)
                {
                    if (queuedLength == 0)
                    {
                        sendInProgress = false;
                        return;
                    }

                    (queued, sending) = (sending, queued);
                    length = queuedLength;
                    queuedLength = 0;
                }

                for (int sent = 0; sent < length;)
                {
                    sent += socket.Send(sending.AsSpan(sent, length - sent), SocketFlags.None);
                }
            }
        }
        catch
        {
            lock (sendGate)
            {
                sendInProgress = false;
                queuedLength = 0;
            }

            throw;
        }
    }

    private bool Fail(ModbusTransaction transaction, Exception error)
    {
        lock (gate)
        {
            if (!pending.TryGetValue(transaction.TransactionId, out ModbusTransaction? current) || current != transaction)
            {
                return false;
            }

            pending.Remove(transaction.TransactionId);
        }

        transaction.SetException(error);
        return true;
    }

    private void Run(string host, int port)
    {
        try
        {
            socket.Connect(host, port);
        }
        catch (Exception e)
        {
            connected.TrySetException(e);
            completion.TrySetResult();
            return;
        }

        connected.TrySetResult();
        try
        {
            ReadLoop();
        }
        finally
        {
            completion.TrySetResult();
        }
    }

    private void ReadLoop()
    {
        byte[] buffer = new byte[ReceiveBufferLength];
        int start = 0;
        int end = 0;
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

                int received = socket.Receive(buffer.AsSpan(end), SocketFlags.None);
                if (received == 0)
                {
                    Close(new ModbusConnectionException(start == end
                        ? $"The server {endpoint} closed the connection."
                        : $"The server {endpoint} closed the connection inside a frame ({end - start} bytes pending)."));
                    return;
                }

                end += received;
                delivering = true;
                try
                {
                    while (MbapFrame.TryRead(buffer.AsSpan(start, end - start), out int frameLength, out ushort transactionId, out byte unitId, out int pduLength))
                    {
                        Deliver(transactionId, unitId, buffer.AsSpan(start + MbapFrame.HeaderLength, pduLength));
                        start += frameLength;
                    }
                }
                finally
                {
                    delivering = false;
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
            Close(new ModbusConnectionException($"The connection to {endpoint} failed.", e));
        }
    }

    /// <summary>Sends what callers queued while this thread delivered answers, unless another thread is sending it already.</summary>
    private void FlushQueued()
    {
        lock (sendGate)
        {
            if (sendInProgress || queuedLength == 0)
            {
                return;
            }

            sendInProgress = true;
        }

        SendQueued();
    }

    private void Deliver(ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        ModbusTransaction? transaction;
        lock (gate)
        {
            // An unknown id is a late answer to a request that already timed out: drop it.
            if (!pending.Remove(transactionId, out transaction))
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
