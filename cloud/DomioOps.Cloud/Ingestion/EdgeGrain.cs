using DomioOps.Cloud.History;
using DomioOps.Cloud.Machines;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orleans.Concurrency;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Reentrant: a batch beyond a sequence hole waits, in memory, for the hole to fill, while the batches that fill it
/// are taken. Only the commit loop moves the committed sequence, and every write of the state goes through
/// <see cref="WriteAsync"/>, one at a time. Lives on the silo that owns its edge (<see cref="EdgeOwners"/>), and moves
/// there when the cluster changes.
/// </summary>
[Reentrant]
[EdgePlacement]
internal sealed partial class EdgeGrain(
    [PersistentState("edge")] IPersistentState<EdgeState> edge,
    IGrainFactory grains,
    TelemetryHistory history,
    EdgeOwners owners,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<EdgeGrain> logger) : Grain, IEdgeGrain
{
    /// <summary>The most samples one commit takes: one history transaction, one call per machine.</summary>
    private const int MaxCommitSamples = 20_000;

    private static readonly TimeSpan SlowRun = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Samples received beyond the committed sequence, by sequence; those also in <see cref="EdgeState.Held"/> are stored,
    /// the others are not durable and their batches not yet acknowledged.
    /// </summary>
    private readonly SortedDictionary<ulong, EdgeSample> _held = [];

    /// <summary>The calls waiting for their batch's last sequence to be committed, oldest first.</summary>
    private readonly List<(ulong Through, TaskCompletionSource<ulong> Committed)> _waiting = [];

    /// <summary>The last write of the state asked for; the next one starts after it.</summary>
    private Task _written = Task.CompletedTask;

    /// <summary>A write asked for that has not begun: later callers join it, as it will store the state as it is then.</summary>
    private Task? _pendingWrite;

    private bool _committing;

    /// <summary>The commit loop, awaited before the grain deactivates or moves.</summary>
    private Task _commit = Task.CompletedTask;

    /// <summary>The cluster membership the grain last checked its place against.</summary>
    private MembershipVersion _placeChecked;

    /// <summary>
    /// The marks and counts as last written: what the grain answers. The state in memory runs ahead of them while a run
    /// is being written, and a failed write would take it back; nobody must have seen it.
    /// </summary>
    private EdgeProgress _stored;

    /// <summary>The highest sequence taken into a commit: the committed sequence, or beyond it while a run is being written.</summary>
    private ulong _taken;

    private Exception? _failed;
    private DateTimeOffset _runStarted;
    private DateTimeOffset _runSlowReported;
    private DateTimeOffset? _holeSince;
    private IGrainTimer? _holeTimer;

    public async Task<IngestResult> Ingest(IReadOnlyList<EdgeSample> samples)
    {
        if (_failed is not null)
        {
            throw new InvalidOperationException($"edge {this.GetPrimaryKeyString()} is starting again from storage after a failed commit", _failed);
        }

        var state = edge.State;
        var duplicates = 0;
        ulong through = 0;
        foreach (var sample in samples)
        {
            through = Math.Max(through, sample.Sample.Sequence);
            // Taken into the run being written is not held any more, and must not be held again.
            if (sample.Sample.Sequence <= _taken || !_held.TryAdd(sample.Sample.Sequence, sample))
            {
                duplicates++;
            }
        }

        state.DuplicatesDropped += duplicates;
        if (through <= _stored.HighestSequence)
        {
            return Result(0, duplicates, 0);
        }

        // Also a batch whose samples another call already holds waits: its acknowledgement must follow the commit.
        var committed = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = (through, committed);
        _waiting.Add(waiter);
        if (!_committing)
        {
            _commit = CommitAsync();
        }

        while (!committed.Task.IsCompleted)
        {
            await Task.WhenAny(committed.Task, Task.Delay(options.Value.HoldUnacknowledged));
            if (committed.Task.IsCompleted || _committing)
            {
                // Committed, failed, or a run is being written (it may hold this batch's samples): wait on.
                ReportSlowRun();
                continue;
            }

            // Still beyond a hole after the hold: stored with the edge's state, so its batch can be acknowledged and the
            // consumer takes further batches (the one that fills the hole may be queued behind it).
            _waiting.Remove(waiter);
            foreach (var sample in samples)
            {
                if (_held.TryGetValue(sample.Sample.Sequence, out var held))
                {
                    state.Held[sample.Sample.Sequence] = held;
                }
            }

            await WriteAsync();
            return Result(samples.Count - duplicates, duplicates, 0);
        }

        var missing = await committed.Task;
        return Result(samples.Count - duplicates, duplicates, missing);
    }

    private IngestResult Result(int accepted, int duplicates, ulong missing) =>
        new(accepted, duplicates, missing) { HighestSequence = _stored.HighestSequence, Silo = owners.Local };

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

        await WriteAsync();
        var snapshot = await GetSnapshot();
        await GrainFactory.GetGrain<Machines.IMachineFeedGrain>(Machines.IMachineFeedGrain.Key).PublishEdge(snapshot);
        return snapshot;
    }

    public Task<EdgeSnapshot> GetSnapshot()
    {
        var state = edge.State;
        var stored = _stored;
        return Task.FromResult(new EdgeSnapshot(this.GetPrimaryKeyString(), state.Online, stored.HighestSequence, stored.SamplesAccepted, state.DuplicatesDropped, stored.MissingSamples, stored.LastSeen)
        {
            Held = _held.Count,
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

        await WriteAsync();
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
        _taken = edge.State.HighestSequence;
        _stored = EdgeProgress.Of(edge.State);
        // Samples stored beyond a hole (their batches acknowledged) wait here again.
        foreach (var (sequence, sample) in edge.State.Held)
        {
            _held.TryAdd(sequence, sample);
        }

        WatchHole();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Orleans deactivates (or moves) a grain once no call is running, but the commit loop runs between calls: its
    /// run and the write of the state finish first, so the next activation starts from them.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await Task.WhenAny(_commit);
        await Task.WhenAny(_written);
    }

    /// <summary>
    /// Commits the held samples that follow the committed sequence without a hole, in runs, until none is left; the
    /// samples that arrive meanwhile join the next run. A hole older than the reorder window (or too many held samples)
    /// is declared missing and skipped. History and machines are written (concurrently) before the edge's mark: a
    /// crash in between means redelivery, and the history (its own mark, in the same transaction as the rows) and each
    /// machine ignore what they already hold. A failure fails every waiting call (their batches are redelivered) and
    /// starts the grain again from storage.
    /// </summary>
    private async Task CommitAsync()
    {
        _committing = true;
        try
        {
            while (TakeRun() is { Run.Count: > 0 } next)
            {
                var (run, missing) = next;
                _runStarted = time.GetUtcNow();
                var state = edge.State;
                var (site, edgeId) = SplitKey(this.GetPrimaryKeyString());
                await Task.WhenAll(run
                    .GroupBy(s => s.Machine, StringComparer.Ordinal)
                    .Select(machine => grains.GetGrain<IMachineGrain>(machine.Key).Apply(site, edgeId, [.. machine.Select(s => s.Sample)]))
                    .Append(history.AppendAsync(this.GetPrimaryKeyString(), run, CancellationToken.None)));
                state.HighestSequence = run[^1].Sample.Sequence;
                state.SamplesAccepted += run.Count;
                state.LastSeen = run[^1].Sample.Timestamp;
                state.MissingSamples += missing;
                // Samples stored beyond a hole leave storage once committed.
                while (state.Held.Count > 0 && state.Held.First().Key <= state.HighestSequence)
                {
                    state.Held.Remove(state.Held.First().Key);
                }

                await WriteAsync();
                Release(missing);
                FollowOwner();
            }
        }
        catch (Exception e)
        {
            LogCommitFailed(e, this.GetPrimaryKeyString(), _waiting.Count);
            _failed = e;
            _held.Clear();
            foreach (var (_, committed) in _waiting)
            {
                committed.TrySetException(e);
            }

            _waiting.Clear();
            DeactivateOnIdle();
        }
        finally
        {
            _committing = false;
            WatchHole();
        }
    }

    /// <summary>
    /// After a silo joined or left, a grain no longer on its edge's owner moves there once no call is running: batches
    /// beyond a hole are stored after <see cref="IngestionOptions.HoldUnacknowledged"/>, the grain moves, and the calls
    /// that waited meanwhile follow it.
    /// </summary>
    private void FollowOwner()
    {
        var key = this.GetPrimaryKeyString();
        if (owners.OwnerElsewhereSince(key, ref _placeChecked) is { } owner)
        {
            LogMoving(key, owners.Local, owner);
            MigrateOnIdle();
        }
    }

    /// <summary>A run still being written after <see cref="SlowRun"/> is logged (at most once per that time): batches wait behind it.</summary>
    private void ReportSlowRun()
    {
        var now = time.GetUtcNow();
        if (_committing && now - _runStarted >= SlowRun && now - _runSlowReported >= SlowRun)
        {
            _runSlowReported = now;
            LogRunSlow(this.GetPrimaryKeyString(), (int)(now - _runStarted).TotalSeconds, _stored.HighestSequence, _taken, _waiting.Count, _held.Count);
        }
    }

    /// <summary>The held samples that can be committed now, in sequence order, and how many samples were declared missing before them.</summary>
    private (List<EdgeSample> Run, ulong Missing) TakeRun()
    {
        var run = new List<EdgeSample>();
        ulong missing = 0;
        var next = _taken + 1;
        while (_held.Count > 0 && run.Count < MaxCommitSamples)
        {
            var (first, sample) = _held.First();
            if (first < next)
            {
                // Stored beyond a hole and committed since.
                _held.Remove(first);
                continue;
            }

            if (first != next)
            {
                var holeExpired = _held.Count > options.Value.MaxHeldSamples
                    || time.GetUtcNow() - _holeSince >= options.Value.ReorderWindow;
                if (run.Count > 0 || !holeExpired)
                {
                    break;
                }

                // A hole that did not fill: the edge dropped samples (its overflow policy) or they were lost
                // upstream. Reported, never hidden.
                missing += first - next;
                LogGap(this.GetPrimaryKeyString(), next - 1, first, first - next);
                next = first;
            }

            run.Add(sample);
            _held.Remove(first);
            next++;
        }

        _taken = next - 1;
        // The window runs from when a hole is first seen; a new hole (after progress) gets the whole window again.
        _holeSince = _held.Count == 0 ? null : run.Count > 0 ? time.GetUtcNow() : _holeSince ?? time.GetUtcNow();
        return (run, missing);
    }

    /// <summary>Completes the calls whose batches are now committed; the samples declared missing are reported to the first.</summary>
    private void Release(ulong missing)
    {
        var highest = edge.State.HighestSequence;
        var released = 0;
        foreach (var (through, committed) in _waiting)
        {
            if (through <= highest)
            {
                committed.TrySetResult(released++ == 0 ? missing : 0);
            }
        }

        _waiting.RemoveAll(w => w.Through <= highest);
    }

    /// <summary>
    /// Writes the state, one write at a time: the commit loop, the batches stored beyond a hole and the status and
    /// configuration calls interleave. Calls made while a write is waiting for its turn share it: however many batches
    /// are stored at once (hundreds after a silo restart left a hole), at most one write runs and one waits.
    /// </summary>
    private Task WriteAsync() => _pendingWrite ??= _written = WriteAfterAsync(_written);

    private async Task WriteAfterAsync(Task previous)
    {
        await Task.Yield(); // begins after WriteAsync has recorded it as pending
        await Task.WhenAny(previous); // its failure is its caller's
        _pendingWrite = null;
        var progress = EdgeProgress.Of(edge.State);
        await edge.WriteStateAsync();
        _stored = progress;
    }

    /// <summary>While samples are held, look again when the window can have passed, even if the edge goes quiet.</summary>
    private void WatchHole()
    {
        if (_held.Count == 0)
        {
            _holeTimer?.Dispose();
            _holeTimer = null;
        }
        else
        {
            var period = options.Value.ReorderWindow / 4;
            _holeTimer ??= this.RegisterGrainTimer(
                _ => _committing ? Task.CompletedTask : _commit = CommitAsync(),
                new GrainTimerCreationOptions(period, period) { Interleave = true });
        }
    }

    private static (string Site, string Edge) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Edge {Edge}: commit failed; {Waiting} waiting batches fail (they are delivered again) and the grain starts again from storage")]
    private partial void LogCommitFailed(Exception exception, string edge, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge {Edge}: the run after {Committed} through {Taken} is still being written after {Seconds} s; {Waiting} batches wait, {Held} samples held")]
    private partial void LogRunSlow(string edge, int seconds, ulong committed, ulong taken, int waiting, int held);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge {Edge}: the cluster changed and silo {Owner} owns the edge now; moving there from {Silo} once idle")]
    private partial void LogMoving(string edge, SiloAddress silo, SiloAddress owner);

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

    /// <summary>
    /// Samples beyond a hole still there after <see cref="IngestionOptions.HoldUnacknowledged"/>, stored so that their
    /// batches could be acknowledged; kept until they are committed.
    /// </summary>
    [Id(6)] public SortedDictionary<ulong, EdgeSample> Held { get; set; } = [];

    /// <summary>When the hole of <see cref="Held"/> was first seen (written by the earlier version; no longer read).</summary>
    [Id(7)] public DateTimeOffset? HoleSince { get; set; }

    [Id(8)] public ulong Backlog { get; set; }

    [Id(9)] public DesiredConfiguration? Desired { get; set; }

    [Id(10)] public ulong AppliedConfigVersion { get; set; }

    [Id(11)] public ulong RejectedConfigVersion { get; set; }

    [Id(12)] public List<string> ConfigErrors { get; set; } = [];

    /// <summary>The last desired versions, oldest first (state written before it existed reads as none).</summary>
    [Id(13)] public List<ConfigurationHistoryEntry> History { get; set; } = [];
}

/// <summary>
/// What a commit moves in an <see cref="EdgeState"/>, reported once written (duplicates are counted as they arrive, and
/// written with the next write).
/// </summary>
internal readonly record struct EdgeProgress(ulong HighestSequence, long SamplesAccepted, ulong MissingSamples, DateTimeOffset? LastSeen)
{
    public static EdgeProgress Of(EdgeState state) => new(state.HighestSequence, state.SamplesAccepted, state.MissingSamples, state.LastSeen);
}
