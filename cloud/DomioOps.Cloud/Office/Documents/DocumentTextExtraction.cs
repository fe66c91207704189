using System.Globalization;

using DomioOps.Cloud.Audit;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// Takes the text of uploaded versions in the background: <see cref="DocumentOptions.ExtractionWorkers"/> workers, each
/// claiming the oldest pending version (leased, so silos share the queue), extracting it (<see cref="TextExtractor"/>) and
/// recording the text or why not. An upload on this silo wakes them; others' uploads are found by polling.
/// </summary>
internal sealed partial class DocumentTextExtraction(DocumentStore store, TextExtractor extractor, AuditTrail audit, DocumentMetrics metrics,
    IOptions<DocumentOptions> options, TimeProvider time, ILogger<DocumentTextExtraction> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        store.Uploaded += Wake;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        store.Uploaded -= Wake;
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(1, options.Value.ExtractionWorkers).Select(worker => Task.Run(() => WorkAsync(worker, stoppingToken), stoppingToken)));

    private void Wake() => _wake.Release(options.Value.ExtractionWorkers);

    private async Task WorkAsync(int worker, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var lease = options.Value.ExtractionTimeout + TimeSpan.FromMinutes(1);
                if (await store.ClaimAsync(time.GetUtcNow() + lease, ct) is { } pending)
                {
                    await ExtractAsync(worker, pending, ct);
                    continue;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The database or the disk is away, or a tool misbehaved: try again after the poll interval (the version's
                // lease lets it, or another worker, take it again).
                LogWorkerFailed(e, worker);
            }

            await WaitAsync(ct);
        }
    }

    private async Task ExtractAsync(int worker, PendingVersion pending, CancellationToken ct)
    {
        var (id, version) = (pending.DocumentId, pending.Version);
        var waiting = await store.PendingCountAsync(ct);
        LogStarted(worker, id, version, pending.ContentType, pending.Content.Length, waiting);
        var started = time.GetTimestamp();
        var result = await extractor.ExtractAsync(id, version, pending.ContentType, pending.Content, ct);
        var elapsed = time.GetElapsedTime(started);
        var entity = id.ToString(CultureInfo.InvariantCulture);
        if (result.Error is null)
        {
            var text = result.Text ?? "";
            await store.ExtractedAsync(id, version, text, ct);
            metrics.Extracted(TextStates.Extracted, result.Method, elapsed);
            LogExtracted(worker, id, version, text.Length, result.Method, elapsed.TotalMilliseconds);
            await audit.AppendAsync(AuditActor.System, "document.text-extracted", "office-document", entity, null,
                new { version, result.Method, characters = text.Length }, ct);
        }
        else
        {
            await store.FailedAsync(id, version, result.Error, ct);
            metrics.Extracted(TextStates.Failed, result.Method, elapsed);
            LogFailed(worker, id, version, result.Error);
            await audit.AppendAsync(AuditActor.System, "document.text-failed", "office-document", entity, null,
                new { version, result.Method, reason = result.Error }, ct);
        }
    }

    /// <summary>Until an upload wakes this worker or the poll interval passes.</summary>
    private async Task WaitAsync(CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = _wake.WaitAsync(wait.Token);
        var poll = Task.Delay(options.Value.PollInterval, time, wait.Token);
        await Task.WhenAny(woken, poll);
        await wait.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Extraction worker {Worker}: document {DocumentId} version {Version} ({ContentType}, {Bytes} bytes), {Pending} waiting")]
    private partial void LogStarted(int worker, long documentId, int version, string contentType, int bytes, long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extraction worker {Worker}: document {DocumentId} version {Version}: {Characters} characters by {Method} in {Milliseconds:F0} ms")]
    private partial void LogExtracted(int worker, long documentId, int version, int characters, string method, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extraction worker {Worker}: document {DocumentId} version {Version} failed: {Reason}")]
    private partial void LogFailed(int worker, long documentId, int version, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Extraction worker {Worker} could not reach the queue; trying again after the poll interval")]
    private partial void LogWorkerFailed(Exception exception, int worker);
}
