using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>
/// What the alerts publish to (<see cref="IAlertNotifications"/>): feeds the <see cref="NotificationTimeline"/> (its only
/// owner, under a lock), and whenever the timeline is due writes what it decided to the outbox in that same step, then
/// wakes the <see cref="NotificationDispatcher"/>. Decisions the database refused are kept and written again, so none is
/// lost while the process lives; the timeline's own state (groups, timers) is in memory and starts afresh with the process.
/// </summary>
internal sealed partial class NotificationPipeline(NotificationOutbox outbox, NotificationDispatcher dispatcher, IOptions<NotificationOptions> options,
    TimeProvider time, ILogger<NotificationPipeline> logger) : BackgroundService, IAlertNotifications
{
    private static readonly TimeSpan RetryWrite = TimeSpan.FromSeconds(5);

    private readonly NotificationTimeline _timeline = new(options.Value, time);
    private readonly Lock _gate = new();
    private readonly List<AlertNotification> _unwritten = [];
    private readonly SemaphoreSlim _wake = new(0, 1);

    public Task PublishAsync(AlertNotice notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        lock (_gate)
        {
            _timeline.Publish(notice);
        }

        LogPublished(notice.AlertId, notice.Machine, notice.Status);
        Wake();
        return Task.CompletedTask;
    }

    /// <summary>Polls the timeline and writes its decisions; returns when it is next due (null: nothing waits).</summary>
    public async Task<DateTimeOffset?> StepAsync(CancellationToken ct)
    {
        List<AlertNotification> decided;
        DateTimeOffset? next;
        lock (_gate)
        {
            _unwritten.AddRange(_timeline.Poll());
            decided = [.. _unwritten];
            next = _timeline.NextDue;
        }

        if (decided.Count > 0)
        {
            await outbox.EnqueueAsync(decided, options.Value, ct).ConfigureAwait(false);
            lock (_gate)
            {
                _unwritten.RemoveRange(0, decided.Count);
            }

            LogWritten(decided.Count);
            dispatcher.Wake();
        }

        return next;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Timeout.InfiniteTimeSpan;
            try
            {
                if (await StepAsync(stoppingToken).ConfigureAwait(false) is { } next)
                {
                    wait = TimeSpan.FromTicks(Math.Max(0, (next - time.GetUtcNow()).Ticks));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWriteFailed(e);
                wait = RetryWrite;
            }

            using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var woken = _wake.WaitAsync(delay.Token);
            await Task.WhenAny(woken, Task.Delay(wait, time, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private void Wake()
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {AlertId} on {Machine} {Status} published to the notifications")]
    private partial void LogPublished(long alertId, string machine, AlertStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} notification messages written to the outbox")]
    private partial void LogWritten(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification messages could not be written to the outbox; they are kept and written again")]
    private partial void LogWriteFailed(Exception exception);
}
