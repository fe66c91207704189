using System.IO.Pipelines;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// A byte stream to a bus (a serial port, or a TCP tunnel carrying RTU/ASCII frames). One pump task owns
/// reading the stream into a pipe, so callers can wait for input with cancellation and timeouts.
/// </summary>
internal sealed class ModbusLine : IAsyncDisposable
{
    private readonly Stream stream;
    private readonly IDisposable? owner;
    private readonly Pipe pipe = new(new PipeOptions(useSynchronizationContext: false));
    private readonly CancellationTokenSource closing = new();
    private readonly Task pump;

    public ModbusLine(Stream stream, IDisposable? owner)
    {
        this.stream = stream;
        this.owner = owner;
        pump = Task.Run(PumpAsync);
    }

    public PipeReader Input => pipe.Reader;

    public bool IsOpen => !pump.IsCompleted;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops everything received so far: stale answers and noise before a new request.</summary>
    public void DiscardInput()
    {
        while (Input.TryRead(out ReadResult result))
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
        await closing.CancelAsync().ConfigureAwait(false);
        owner?.Dispose();
        await stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing the stream ends the pump with one of these.
        }

        closing.Dispose();
    }

    private async Task PumpAsync()
    {
        PipeWriter writer = pipe.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = writer.GetMemory(512);
                int read = await stream.ReadAsync(memory, closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                FlushResult flushed = await writer.FlushAsync(closing.Token).ConfigureAwait(false);
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
