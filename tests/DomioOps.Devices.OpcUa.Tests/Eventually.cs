namespace DomioOps.Devices.OpcUa.Tests;

/// <summary>Polls a condition until it holds, and fails the test after a deadline instead of waiting forever.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, CancellationToken ct, int seconds = 20)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            }
        }
    }
}
