using DomioOps.Cloud.History;
using DomioOps.Cloud.Machines;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Ingestion;

internal sealed partial class EdgeGrain(
    [PersistentState("edge")] IPersistentState<EdgeState> edge,
    IGrainFactory grains,
    TelemetryHistory history,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<EdgeGrain> logger) : Grain, IEdgeGrain
{
    private IGrainTimer? _holeTimer;

    public async Task<IngestResult> Ingest(IReadOnlyList<EdgeSample> samples)
    {
        try
        {
            return await IngestAsync(samples);
        }
        catch
        {
            // The state in memory may be ahead of what was stored: start again from storage.
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task<IngestResult> IngestAsync(IReadOnlyList<EdgeSample> samples)
    {
        var state = edge.State;
        var duplicates = 0;
        foreach (var sample in samples)
        {
            if (sample.Sample.Sequence <= state.HighestSequence || !state.Held.TryAdd(sample.Sample.Sequence, sample))
            {
                duplicates++;
            }
        }

        state.DuplicatesDropped += duplicates;
        var (committed, missing) = await CommitInOrderAsync();
        if (committed == 0 && missing == 0)
        {
            // Held samples (or duplicates counted) must be durable before the broker is acknowledged.
            await edge.WriteStateAsync();
        }

        return new IngestResult(committed, duplicates, missing) { HighestSequence = state.HighestSequence };
    }

    public async Task<EdgeSnapshot> SetStatus(EdgeReport report)
    {
        var state = edge.State;
        (state.Online, state.Backlog, state.LastSeen) = (report.Online, report.Backlog, report.At);
        if (report.Online)
        {
            // A death (last will) is set when the edge connects: it carries no configuration news.
            (state.AppliedConfigVersion, state.RejectedConfigVersion, state.ConfigErrors) = (report.ConfigVersion, report.RejectedConfigVersion, [.. report.ConfigErrors]);
            RecordOutcome(report);
        }

        await edge.WriteStateAsync();
        var snapshot = await GetSnapshot();
        await GrainFactory.GetGrain<Machines.IMachineFeedGrain>(Machines.IMachineFeedGrain.Key).PublishEdge(snapshot);
        return snapshot;
    }

    public Task<EdgeSnapshot> GetSnapshot()
    {
        var state = edge.State;
        return Task.FromResult(new EdgeSnapshot(this.GetPrimaryKeyString(), state.Online, state.HighestSequence, state.SamplesAccepted, state.DuplicatesDropped, state.MissingSamples, state.LastSeen)
        {
            Held = state.Held.Count,
            Backlog = state.Backlog,
            DesiredConfigVersion = state.Desired?.Version ?? 0,
            AppliedConfigVersion = state.AppliedConfigVersion,
            RejectedConfigVersion = state.RejectedConfigVersion,
            ConfigErrors = state.ConfigErrors,
        });
    }

    public async Task<ulong> SetDesiredConfiguration(string devicesJson, ConfigurationAuthor? setBy)
    {
        var state = edge.State;
        state.Desired = new DesiredConfiguration((state.Desired?.Version ?? 0) + 1, devicesJson, time.GetUtcNow());
        state.History.Add(new ConfigurationHistoryEntry(state.Desired.Version, state.Desired.SetAt, setBy));
        if (state.History.Count > ConfigurationHistoryEntry.Kept)
        {
            state.History.RemoveRange(0, state.History.Count - ConfigurationHistoryEntry.Kept);
        }

        await edge.WriteStateAsync();
        // Open pages show the new desired version, waiting for the edge's answer.
        await GrainFactory.GetGrain<Machines.IMachineFeedGrain>(Machines.IMachineFeedGrain.Key).PublishEdge(await GetSnapshot());
        return state.Desired.Version;
    }

    public Task<DesiredConfiguration?> GetDesiredConfiguration() => Task.FromResult(edge.State.Desired);

    public Task<IReadOnlyList<ConfigurationHistoryEntry>> GetConfigurationHistory() =>
        Task.FromResult<IReadOnlyList<ConfigurationHistoryEntry>>([.. Enumerable.Reverse(edge.State.History)]);

    /// <summary>
    /// The edge's answer in the history: the first report of a version as running (or as refused, with its errors) dates
    /// it; later reports of the same version (every birth repeats them) change nothing.
    /// </summary>
    private void RecordOutcome(EdgeReport report)
    {
        var history = edge.State.History;
        var applied = history.FindIndex(h => h.Version == report.ConfigVersion);
        if (report.ConfigVersion > 0 && applied >= 0 && history[applied].AppliedAt is null)
        {
            history[applied] = history[applied] with { AppliedAt = report.At };
        }

        var refused = history.FindIndex(h => h.Version == report.RejectedConfigVersion);
        if (report.RejectedConfigVersion > 0 && refused >= 0 && history[refused].RefusedAt is null)
        {
            history[refused] = history[refused] with { RefusedAt = report.At, Errors = [.. report.ConfigErrors] };
        }
    }

    public static string Key(string site, string edge) => $"{site}/{edge}";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        WatchHole();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Commits the held samples that follow the committed sequence without a hole. A hole older than the
    /// reorder window (or too many held samples) is declared missing and
    /// skipped. History and machines are written (concurrently) before the edge's mark: a crash in between means
    /// redelivery, and the history (its own mark, in the same transaction as the rows) and each machine
    /// ignore what they already hold.
    /// </summary>
    private async Task<(int Committed, ulong Missing)> CommitInOrderAsync()
    {
        var state = edge.State;
        var run = new List<EdgeSample>();
        ulong missing = 0;
        var next = state.HighestSequence + 1;
        while (state.Held.Count > 0)
        {
            var first = state.Held.Keys.First();
            if (first != next)
            {
                var holeExpired = state.Held.Count > options.Value.MaxHeldSamples
                    || time.GetUtcNow() - state.HoleSince >= options.Value.ReorderWindow;
                if (!holeExpired)
                {
                    break;
                }

                // A hole that did not fill: the edge dropped samples (its overflow policy) or they were lost
                // upstream. Reported, never hidden.
                missing += first - next;
                LogGap(this.GetPrimaryKeyString(), next - 1, first, first - next);
                next = first;
            }

            run.Add(state.Held[first]);
            state.Held.Remove(first);
            next++;
        }

        // The window runs from when a hole is first seen; a new hole (after progress) gets the whole window again.
        state.HoleSince = state.Held.Count == 0 ? null : run.Count > 0 ? time.GetUtcNow() : state.HoleSince ?? time.GetUtcNow();
        if (run.Count == 0)
        {
            WatchHole();
            return (0, 0);
        }

        // History and machines concurrently: both are idempotent, and both finish before the edge's mark moves.
        var (site, edgeId) = SplitKey(this.GetPrimaryKeyString());
        await Task.WhenAll(run
            .GroupBy(s => s.Machine, StringComparer.Ordinal)
            .Select(machine => grains.GetGrain<IMachineGrain>(machine.Key).Apply(site, edgeId, [.. machine.Select(s => s.Sample)]))
            .Append(history.AppendAsync(this.GetPrimaryKeyString(), run, CancellationToken.None)));
        state.HighestSequence = run[^1].Sample.Sequence;
        state.SamplesAccepted += run.Count;
        state.LastSeen = run[^1].Sample.Timestamp;

        state.MissingSamples += missing;
        await edge.WriteStateAsync();
        WatchHole();
        return (run.Count, missing);
    }

    /// <summary>While samples are held, look again when the window can have passed, even if the edge goes quiet.</summary>
    private void WatchHole()
    {
        if (edge.State.Held.Count == 0)
        {
            _holeTimer?.Dispose();
            _holeTimer = null;
        }
        else
        {
            var period = options.Value.ReorderWindow / 4;
            _holeTimer ??= this.RegisterGrainTimer(
                async _ =>
                {
                    try
                    {
                        await CommitInOrderAsync();
                    }
                    catch
                    {
                        DeactivateOnIdle();
                        throw;
                    }
                },
                new GrainTimerCreationOptions(period, period) { Interleave = false });
        }
    }

    private static (string Site, string Edge) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge {Edge}: sequence hole after {Highest}, next held is {Next}; {Missing} samples declared missing")]
    private partial void LogGap(string edge, ulong highest, ulong next, ulong missing);
}

[GenerateSerializer]
internal sealed class EdgeState
{
    [Id(0)] public ulong HighestSequence { get; set; }
    [Id(1)] public long SamplesAccepted { get; set; }
    [Id(2)] public long DuplicatesDropped { get; set; }
    [Id(3)] public ulong MissingSamples { get; set; }
    [Id(4)] public bool Online { get; set; }
    [Id(5)] public DateTimeOffset? LastSeen { get; set; }

    /// <summary>Samples beyond a hole, by sequence, waiting for it to fill.</summary>
    [Id(6)] public SortedDictionary<ulong, EdgeSample> Held { get; set; } = [];

    /// <summary>When the current hole was first seen.</summary>
    [Id(7)] public DateTimeOffset? HoleSince { get; set; }

    [Id(8)] public ulong Backlog { get; set; }

    [Id(9)] public DesiredConfiguration? Desired { get; set; }

    [Id(10)] public ulong AppliedConfigVersion { get; set; }

    [Id(11)] public ulong RejectedConfigVersion { get; set; }

    [Id(12)] public List<string> ConfigErrors { get; set; } = [];

    /// <summary>The last desired versions, oldest first (state written before it existed reads as none).</summary>
    [Id(13)] public List<ConfigurationHistoryEntry> History { get; set; } = [];
}
