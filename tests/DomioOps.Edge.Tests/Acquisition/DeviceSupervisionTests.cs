using DomioOps.Edge.Acquisition;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// A device loop that fails in a way its driver does not handle (a defect, the queue's disk full) is started again after
/// a pause, and the device is reported failing with the error meanwhile: it is never left unread in silence, as the
/// loop's task once ended unobserved.
/// </summary>
public sealed class DeviceSupervisionTests : IDisposable
{
    private readonly AcquisitionFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Loop_FailsUnexpectedlyTwice_ReportedFailingAndStartedAgainAfterDoublingPauses()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new CountingTime();
        var context = _fixture.Context(time);
        var timers = time.Timers;
        var starts = 0;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var supervised = DeviceAcquisition.SuperviseAsync(
            "saw-01",
            async loopToken =>
            {
                if (++starts <= 2)
                {
                    await Task.Yield();
                    throw new InvalidOperationException($"failure {starts}");
                }

                running.TrySetResult();
                await Task.Delay(Timeout.Infinite, loopToken);
            },
            context,
            NullLogger.Instance,
            stop.Token);

        // Each pause is a timer of the time provider: advanced only once it is set.
        await WaitUntilAsync(() => starts == 1 && time.Timers == timers + 1, ct);
        Assert.Equal(DeviceHealth.Failing, _fixture.Status.Devices["saw-01"].Health);
        Assert.Equal("InvalidOperationException: failure 1", _fixture.Status.Devices["saw-01"].LastError);

        // Not before the pause.
        time.Advance(DeviceAcquisition.MinRestartDelay - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50, ct);
        Assert.Equal(1, starts);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => starts == 2 && time.Timers == timers + 2, ct);
        Assert.Equal("InvalidOperationException: failure 2", _fixture.Status.Devices["saw-01"].LastError);

        // The second pause is twice the first.
        time.Advance(DeviceAcquisition.MinRestartDelay);
        await Task.Delay(50, ct);
        Assert.Equal(2, starts);
        time.Advance(DeviceAcquisition.MinRestartDelay);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

        await stop.CancelAsync();
        await supervised.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(3, starts);
    }

    [Fact]
    public async Task Loop_Cancelled_EndsWithoutRestartOrFailure()
    {
        var ct = TestContext.Current.CancellationToken;
        var context = _fixture.Context(TimeProvider.System);
        var starts = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var supervised = DeviceAcquisition.SuperviseAsync(
            "saw-01",
            loopToken =>
            {
                starts++;
                return Task.Delay(Timeout.Infinite, loopToken);
            },
            context,
            NullLogger.Instance,
            stop.Token);
        await stop.CancelAsync();

        await supervised.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(1, starts);
        Assert.False(_fixture.Status.Devices.ContainsKey("saw-01"));
    }

    private sealed class CountingTime : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the supervised loop did not get there within 10 s");
            await Task.Delay(10, ct);
        }
    }
}
