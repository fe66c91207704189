using DomioOps.Cloud.Maintenance.Notifications;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

public sealed class NotificationDispatcherTests
{
    [Theory]
    // InitialBackoff 10 s, MaxBackoff 60 s: the ceiling doubles per failed attempt (10, 20, 40, 60, 60 …); half of it is
    // fixed and the other half scaled by the jitter.
    [InlineData(1, 0.0, 5_000)]
    [InlineData(1, 0.5, 7_500)]
    [InlineData(1, 0.999, 9_995)]
    [InlineData(2, 0.0, 10_000)]
    [InlineData(3, 0.5, 30_000)]
    [InlineData(4, 0.0, 30_000)]
    [InlineData(4, 1.0, 60_000)]
    [InlineData(63, 0.0, 30_000)]
    public void Backoff_AttemptAndJitter_ExponentialCappedEqualJitter(int failed, double jitter, int milliseconds)
    {
        var delivery = new DeliveryOptions { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(60) };

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), NotificationDispatcher.Backoff(delivery, failed, jitter));
    }
}
