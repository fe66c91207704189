namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>
/// The system clock for an <see cref="DomioOps.Devices.OpcUa.Server.OpcUaServer"/>, counting the runs of its sampling
/// timers (the timers whose period is the sampling interval), so that a test waits until a value it wrote has been
/// sampled instead of sleeping a few sampling intervals and hoping. Meant for a server whose subscription is the only
/// one sampling at that interval: a run of any such timer counts.
/// </summary>
internal sealed class SamplingClock(TimeSpan samplingInterval) : TimeProvider
{
    private long _started;
    private long _latestCompleted;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        period != samplingInterval
            ? base.CreateTimer(callback, state, dueTime, period)
            : base.CreateTimer(s =>
            {
                var run = Interlocked.Increment(ref _started);
                try
                {
                    callback(s);
                }
                finally
                {
                    // Runs may overlap (a late one), so the latest completed is a maximum, not the last to finish.
                    var latest = Interlocked.Read(ref _latestCompleted);
                    while (latest < run)
                    {
                        var seen = Interlocked.CompareExchange(ref _latestCompleted, run, latest);
                        if (seen == latest)
                        {
                            break;
                        }

                        latest = seen;
                    }
                }
            }, state, dueTime, period);

    /// <summary>
    /// Returns once a sampling run that started after this call has completed: every value written before the call has
    /// been sampled (a monitored item's queue holds it, or its filter dropped it).
    /// </summary>
    public async Task SampledAsync(CancellationToken ct)
    {
        var after = Interlocked.Read(ref _started);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(20));
        while (Interlocked.Read(ref _latestCompleted) <= after)
        {
            try
            {
                await Task.Delay(1, limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"No sampling run completed within 20 s (runs started: {Interlocked.Read(ref _started)}).");
            }
        }
    }
}
