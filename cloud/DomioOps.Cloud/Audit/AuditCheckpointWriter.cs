using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// Exports the chain's head as a signed checkpoint at start, every <see cref="AuditOptions.CheckpointInterval"/> and at
/// stop. At start it also proves the key is the chain's: a key that verifies none of the existing checkpoints (lost and
/// re-created, or the wrong file) stops the silo instead of writing rows nobody could verify with the old key.
/// </summary>
internal sealed partial class AuditCheckpointWriter(
    AuditTrail trail, AuditCheckpoints checkpoints, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditCheckpointWriter> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var found = checkpoints.ReadAll();
        if (found.Count > 0 && found.All(f => f.Checkpoint is null))
        {
            throw new InvalidOperationException(
                $"Audit:KeyPath: the key in '{options.Value.KeyPath}' verifies none of the {found.Count} checkpoints in '{checkpoints.Directory}': "
                + "it is not the key this audit chain was written with. Restore the right key file (a new key would leave every existing row unverifiable).");
        }

        await WriteAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await WriteAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCheckpointFailed(e, checkpoints.Directory);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await WriteAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; the rows written meanwhile are keyed, only their anchoring waits.
                LogCheckpointFailed(e, checkpoints.Directory);
            }
        }
    }

    /// <summary>One checkpoint of the current head, unless that row has one already.</summary>
    internal async Task<AuditCheckpoint?> WriteAsync(CancellationToken cancellationToken)
    {
        var head = await trail.ReadHeadAsync(cancellationToken);
        var written = checkpoints.Write(head.Seq, head.Hash, head.KeyedFrom);
        if (written is not null)
        {
            LogCheckpointWritten(written.Seq, written.FileName, checkpoints.Directory);
        }

        return written;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint of row {Seq} written to {File} in {Directory}")]
    private partial void LogCheckpointWritten(long seq, string file, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write an audit checkpoint to {Directory}; retrying at the next interval")]
    private partial void LogCheckpointFailed(Exception exception, string directory);
}
