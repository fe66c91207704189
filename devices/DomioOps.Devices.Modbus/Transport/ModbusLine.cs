using System.IO.Pipelines;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// A byte stream to a bus (a serial port, or a TCP tunnel carrying RTU/ASCII frames). One pump task owns
/// reading the stream into a pipe, so callers can wait for input with cancellation and timeouts.
/// </summary>
internal sealed class ModbusLine : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly Pipe _pipe = new(new PipeOptions(useSynchronizationContext: false));
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _pump;

    public ModbusLine(Stream stream, IDisposable? owner)
    {
        this._stream = stream;
        this._owner = owner;
        _pump = Task.Run(PumpAsync);
    }

    public PipeReader Input => _pipe.Reader;

    public bool IsOpen => !_pump.IsCompleted;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops everything received so far: stale answers and noise before a new request.</summary>
    public void DiscardInput()
    {
        while (Input.TryRead(out var result))
        {
            Input.AdvanceTo(result.Buffer.End);
            if (result.Buffer.IsEmpty || result.IsCompleted)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        _owner?.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing the stream ends the pump with one of these.
        }

        _closing.Dispose();
    }

    private async Task PumpAsync()
    {
        var writer = _pipe.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(512);
                var read = await _stream.ReadAsync(memory, _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                var flushed = await writer.FlushAsync(_closing.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or UnauthorizedAccessException)
        {
            error = new ModbusConnectionException("The line closed.", e);
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }
}
