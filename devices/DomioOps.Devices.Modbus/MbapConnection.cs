using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// One TCP connection of a Modbus TCP client with pipelining: requests carry transaction ids,
/// responses are matched by id in any order (Messaging on TCP/IP Implementation Guide v1.0b, §4.2).
/// The pending table is owned by <see cref="gate"/>; whoever removes a transaction from it completes it.
/// </summary>
internal sealed class MbapConnection : IDisposable
{
    private readonly Socket socket;
    private readonly PipeReader reader;
    private readonly Lock sendGate = new();
    private ArrayBufferWriter<byte> queued = new(4096);
    private ArrayBufferWriter<byte> sending = new(4096);
    private bool sendInProgress;
    private readonly Lock gate = new();
    private readonly Dictionary<ushort, ModbusTransaction> pending = [];
    private readonly List<ModbusTransaction> expired = [];
    private readonly Task readLoop;
    private ushort nextTransactionId;
    private Exception? closeReason;

    private readonly bool exclusive;

    private MbapConnection(Socket socket, bool exclusive)
    {
        this.socket = socket;
        this.exclusive = exclusive;
        reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(bufferSize: 8192));

        // With one request in flight at a time the caller reads its own response: no read loop, no hand-off
        // between threads. With pipelining a read loop owns the socket's input and matches responses.
        readLoop = exclusive ? Task.CompletedTask : Task.Run(ReadLoopAsync);
    }

    public bool IsOpen => Volatile.Read(ref closeReason) is null;

    public Task Completion => readLoop;

    public static async Task<MbapConnection> ConnectAsync(string host, int port, TimeSpan timeout, bool exclusive, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            await socket.ConnectAsync(host, port, timeoutSource.Token).ConfigureAwait(false);
            return new MbapConnection(socket, exclusive);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request PDU at <c>Buffer[7..]</c> and returns the response PDU length once it is in the buffer.</summary>
    public async ValueTask<int> TransactAsync(ModbusTransaction transaction, byte unitId, int pduLength, long deadline, CancellationToken cancellationToken)
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
            await SendAsync(transaction.Buffer.AsMemory(0, aduLength)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(new ModbusConnectionException("Sending the request failed.", e));
        }

        if (exclusive)
        {
            await ReadUntilCompletedAsync(transaction).ConfigureAwait(false);
        }

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

    /// <summary>
    /// Group send: a request joins the queue; whoever finds no send in progress sends everything queued,
    /// so pipelined requests share system calls. No allocation: two buffers swap roles.
    /// </summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> adu)
    {
        lock (sendGate)
        {
            queued.Write(adu.Span);
            if (sendInProgress)
            {
                return;
            }

            sendInProgress = true;
        }

        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                lock (sendGate)
                {
                    if (queued.WrittenCount == 0)
                    {
                        sendInProgress = false;
                        return;
                    }

                    batch = queued;
                    queued = sending;
                    sending = batch;
                }

                await socket.SendAsync(batch.WrittenMemory, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
                batch.ResetWrittenCount();
            }
        }
        catch
        {
            lock (sendGate)
            {
                sendInProgress = false;
                queued.ResetWrittenCount();
            }

            throw;
        }
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

        if (exclusive && expired.Count > 0)
        {
            reader.CancelPendingRead();
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

        socket.Dispose();
        foreach (ModbusTransaction t in inFlight)
        {
            t.SetException(new ModbusConnectionException(
                $"The connection closed with function 0x{(byte)t.Function:X2} to unit {t.UnitId} in flight: {reason.Message}", reason));
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
        if (exclusive)
        {
            reader.CancelPendingRead();
        }

        return true;
    }

    /// <summary>Exclusive mode: reads frames on the caller's flow until its transaction is completed (answered, timed out, cancelled or failed).</summary>
    private async ValueTask ReadUntilCompletedAsync(ModbusTransaction transaction)
    {
        try
        {
            while (transaction.Completion.IsCompleted is false)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (MbapFrame.TryRead(ref buffer, out ushort transactionId, out byte unitId, out ReadOnlySequence<byte> pdu))
                {
                    Deliver(transactionId, unitId, pdu);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(new ModbusConnectionException(buffer.IsEmpty
                        ? "The server closed the connection."
                        : $"The server closed the connection inside a frame ({buffer.Length} bytes pending)."));
                    return;
                }
            }
        }
        catch (ModbusProtocolException e)
        {
            Close(e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close(new ModbusConnectionException("The connection failed.", e));
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (MbapFrame.TryRead(ref buffer, out ushort transactionId, out byte unitId, out ReadOnlySequence<byte> pdu))
                {
                    Deliver(transactionId, unitId, pdu);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(new ModbusConnectionException(buffer.IsEmpty
                        ? "The server closed the connection."
                        : $"The server closed the connection inside a frame ({buffer.Length} bytes pending)."));
                    break;
                }
            }
        }
        catch (ModbusProtocolException e)
        {
            // An MBAP stream cannot be resynchronised after a bad header: drop the connection.
            Close(e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(new ModbusConnectionException("The connection failed.", e));
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Deliver(ushort transactionId, byte unitId, ReadOnlySequence<byte> pdu)
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
        transaction.SetResult((int)pdu.Length);
    }
}
