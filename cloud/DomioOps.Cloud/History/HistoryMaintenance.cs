using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.History;

/// <summary>
/// Every <see cref="HistoryOptions.MaintenanceInterval"/> (on <see cref="TimeProvider"/>, so tests drive it):
/// creates the day partitions from yesterday to <see cref="HistoryOptions.PartitionsAhead"/> days ahead, and
/// drops those past retention. Every silo runs it; each step is idempotent, so they need no coordination.
/// </summary>
internal sealed partial class HistoryMaintenance(
    HistoryDatabase database,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<HistoryMaintenance> logger) : BackgroundService
{
    /// <summary>One pass; returns the number of partitions dropped.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var history = options.Value;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await database.EnsurePartitionsAsync(Enumerable.Range(-1, history.PartitionsAhead + 2).Select(today.AddDays), cancellationToken).ConfigureAwait(false);
        return await database.DropPartitionsBeforeAsync(HistoryDatabase.SampleTable, HistoryOptions.OldestKeptDay(now, history.RetentionDays), cancellationToken).ConfigureAwait(false)
            + await database.DropPartitionsBeforeAsync(HistoryDatabase.RollupTable, HistoryOptions.OldestKeptDay(now, history.RollupRetentionDays), cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MaintenanceInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The next pass tries again; writes create the partitions they need themselves.
                LogMaintenanceFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "History maintenance (partitions ahead, retention) failed; retrying at the next interval")]
    private partial void LogMaintenanceFailed(Exception exception);
}
