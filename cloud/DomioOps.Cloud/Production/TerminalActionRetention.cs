using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Production;

/// <summary>
/// Forgets the terminals' idempotency keys older than <see cref="ProductionOptions.ActionKeysKept"/>, every hour: an
/// outbox replays within hours of the network coming back, and 200 terminals acting every second would otherwise add
/// millions of rows a day. The operations, reports and stops the actions made stay.
/// </summary>
internal sealed partial class TerminalActionRetention(
    IServiceScopeFactory scopes, IOptionsMonitor<ProductionOptions> options, TimeProvider time, ILogger<TerminalActionRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await ForgetAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // PostgreSQL away: the next hour tries again; nothing is lost by waiting.
                LogFailed(error);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the keys older than the configured age; returns how many.</summary>
    public async Task<int> ForgetAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var before = time.GetUtcNow() - options.CurrentValue.ActionKeysKept;
        var forgotten = await db.TerminalActions.Where(a => a.AppliedAt < before).ExecuteDeleteAsync(ct);
        if (forgotten > 0)
        {
            LogForgotten(forgotten, before);
        }

        return forgotten;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} terminal action key(s) applied before {Before:O}")]
    private partial void LogForgotten(int count, DateTimeOffset before);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forget old terminal action keys; trying again in an hour")]
    private partial void LogFailed(Exception error);
}
