namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>A driver loop running in the background for a test; disposing it cancels the loop and waits for it to end.</summary>
internal sealed class DriverRun : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public DriverRun(Func<CancellationToken, Task> run)
    {
        loop = Task.Run(() => run(stop.Token));
    }

    /// <summary>True while the loop runs; a driver loop ends only when cancelled, so false means it crashed.</summary>
    public bool Running => !loop.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
