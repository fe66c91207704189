using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>
/// Sends the outbox: takes due deliveries, sends each over its channel, and records every attempt with its error. A
/// failed attempt is retried after an exponential back-off with jitter (<see cref="Backoff"/>) until
/// <see cref="DeliveryOptions.MaxAttempts"/> or <see cref="DeliveryOptions.MaxAge"/>; then the delivery is failed, and stays
/// listed with its last error (and can be retried by hand).
/// </summary>
internal sealed partial class NotificationDispatcher(NotificationOutbox outbox, IEnumerable<INotificationSender> senders,
    IOptionsMonitor<NotificationOptions> options, TimeProvider time, ILogger<NotificationDispatcher> logger) : BackgroundService
{
    /// <summary>How long a claimed delivery is ours: a silo that dies mid-send lets it come back after this.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<NotificationChannel, INotificationSender> _senders = senders.ToDictionary(s => s.Channel);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The random part of each back-off, in [0, 1); tests set it.</summary>
    internal Func<double> Jitter { get; set; } = Random.Shared.NextDouble;

    /// <summary>Makes the dispatcher look at the outbox now (new rows were written).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>
    /// The delay before attempt <paramref name="failed"/> + 1: <c>min(MaxBackoff, InitialBackoff · 2^(failed-1))</c>, half
    /// of it fixed and half scaled by <paramref name="jitter"/> ("equal jitter"), so many failed deliveries do not retry at once.
    /// </summary>
    internal static TimeSpan Backoff(DeliveryOptions delivery, int failed, double jitter)
    {
        var exponent = Math.Min(failed - 1, 30);
        var ceiling = Math.Min(delivery.MaxBackoff.Ticks, delivery.InitialBackoff.Ticks * (1L << exponent));
        if (ceiling < 0)
        {
            ceiling = delivery.MaxBackoff.Ticks;
        }

        return TimeSpan.FromTicks((ceiling / 2) + (long)(ceiling / 2 * jitter));
    }

    /// <summary>Sends every delivery due now, one attempt each; returns how many attempts were made.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await outbox.ClaimAsync(now, now + Lease, 50, ct).ConfigureAwait(false);
        foreach (var delivery in due)
        {
            await AttemptAsync(delivery, ct).ConfigureAwait(false);
        }

        return due.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.CurrentValue.Delivery.PollInterval;
            try
            {
                while (await RunOnceAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                    // More may be due.
                }

                if (await outbox.NextAttemptAsync(stoppingToken).ConfigureAwait(false) is { } next)
                {
                    wait = TimeSpan.FromTicks(Math.Clamp((next - time.GetUtcNow()).Ticks, 0, wait.Ticks));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDispatchFailed(e);
            }

            using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var woken = _wake.WaitAsync(delay.Token);
            await Task.WhenAny(woken, Task.Delay(wait, time, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task AttemptAsync(Delivery delivery, CancellationToken ct)
    {
        var settings = options.CurrentValue.Delivery;
        string? error = null;
        var permanent = false;
        try
        {
            if (!_senders.TryGetValue(delivery.Channel, out var sender))
            {
                throw new NotificationRefused($"No sender for channel {delivery.Channel} is registered.");
            }

            await sender.SendAsync(delivery, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (NotificationRefused refused)
        {
            error = refused.Message;
            permanent = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        var at = time.GetUtcNow();
        var number = delivery.Attempts + 1;
        DateTimeOffset? retryAt = null;
        if (error is null)
        {
            LogSent(delivery.Id, delivery.Channel, delivery.Receiver, number);
        }
        else
        {
            retryAt = at + Backoff(settings, number, Jitter());
            if (permanent || number >= settings.MaxAttempts || retryAt > delivery.CreatedAt + settings.MaxAge)
            {
                retryAt = null;
                LogFailed(delivery.Id, delivery.Channel, delivery.Receiver, number, error);
            }
            else
            {
                LogRetrying(delivery.Id, delivery.Channel, delivery.Receiver, number, error, retryAt.Value);
            }
        }

        await outbox.RecordAsync(delivery.Id, number, at, error, retryAt, ct).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Id} sent by {Channel} to {Receiver} (attempt {Attempt})")]
    private partial void LogSent(long id, NotificationChannel channel, string receiver, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Id} by {Channel} to {Receiver} failed (attempt {Attempt}): {Error}; retrying at {RetryAt}")]
    private partial void LogRetrying(long id, NotificationChannel channel, string receiver, int attempt, string error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification {Id} by {Channel} to {Receiver} failed for good after {Attempt} attempts: {Error}")]
    private partial void LogFailed(long id, NotificationChannel channel, string receiver, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification dispatcher could not read or update the outbox; it tries again")]
    private partial void LogDispatchFailed(Exception exception);
}
