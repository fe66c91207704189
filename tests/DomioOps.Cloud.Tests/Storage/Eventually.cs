namespace DomioOps.Cloud.Tests.Storage;

/// <summary>Bounded polling for conditions that the cluster reaches on its own time.</summary>
internal static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var last = await probe();
        while (!done(last))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return last; // Let the caller's assertion say what was seen last.
            }

            last = await probe();
        }

        return last;
    }
}
