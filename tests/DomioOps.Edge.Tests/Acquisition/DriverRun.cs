namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>A driver loop running in the background for a test; disposing it cancels the loop and waits for it to end.</summary>
internal sealed class DriverRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DriverRun(Func<CancellationToken, Task> run)
    {
        _loop = Task.Run(() => run(_stop.Token));
    }

    /// <summary>True while the loop runs; a driver loop ends only when cancelled, so false means it crashed.</summary>
    public bool Running => !_loop.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
