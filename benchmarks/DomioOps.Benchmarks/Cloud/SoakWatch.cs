using System.Diagnostics;
using System.Globalization;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// Reads the cloud through its API once a second during the soak: each edge's committed high-water mark and each
/// machine's piece count, which must never go down (a grain whose state went backwards, e.g. reactivated from storage
/// older than what it had answered); and whether the last fault has recovered, i.e. the cloud has committed what each
/// edge had sequenced when the fault was over.
/// </summary>
internal sealed class SoakWatch(SoakSystem system, Action<string> log) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<ulong> _committed = [];
    private (long InjectedAt, List<ulong> Targets)? _pending;
    private TaskCompletionSource _recovered = CompletedSource();
    private int _failures;

    /// <summary>Every observation of a value lower than one seen before, described.</summary>
    public List<string> Backwards { get; } = [];

    public TimeSpan MaxRecovery { get; private set; }

    /// <summary>The committed high-water marks last read, per edge.</summary>
    public List<ulong> Committed()
    {
        lock (_gate)
        {
            return [.. _committed];
        }
    }

    /// <summary>A fault injected at <paramref name="injectedAt"/> (a <see cref="Stopwatch"/> timestamp) is over; it has recovered when each edge's mark reaches its target.</summary>
    public void ExpectRecovery(long injectedAt, List<ulong> targets)
    {
        lock (_gate)
        {
            _pending = (injectedAt, targets);
            _recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Waits until the last fault has recovered; false after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitRecoveredAsync(TimeSpan limit, CancellationToken ct)
    {
        Task recovered;
        lock (_gate)
        {
            recovered = _recovered.Task;
        }

        try
        {
            await recovered.WaitAsync(limit, ct);
            return true;
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _pending = null;
                _recovered = CompletedSource();
            }

            return false;
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    await ObserveAsync(linked.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException && _failures++ < 20)
                {
                    // A silo answering something else than the API (starting, recovering) must not end the watch.
                    log($"the watch could not read the cloud: {e.GetType().Name}: {e.Message}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Logged twenty times already.
                }
            }
            while (await timer.WaitForNextTickAsync(linked.Token));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    public Task StopAsync()
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stop.Dispose();

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    private async Task ObserveAsync(CancellationToken ct)
    {
        var marks = Committed();
        for (var e = 0; e < system.Edges.Count; e++)
        {
            // No silo answering (all busy recovering) keeps the mark last read.
            var edge = await system.AskCloudAsync<SoakEdgeView>($"api/edges/{SoakSystem.Site}/{SoakSystem.EdgeId(e)}", ct);
            if (marks.Count <= e)
            {
                marks.Add(0);
            }

            if (edge is not null)
            {
                marks[e] = edge.HighestSequence;
                Check($"{SoakSystem.EdgeId(e)} committed mark", (long)edge.HighestSequence);
            }
        }

        if (await system.AskCloudAsync<List<SoakMachineView>>("api/machines", ct) is { } machines)
        {
            foreach (var machine in machines)
            {
                Check($"{machine.Id} piece count", machine.PieceCount);
            }
        }

        lock (_gate)
        {
            _committed.Clear();
            _committed.AddRange(marks);
            if (_pending is { } pending && marks.Zip(pending.Targets).All(p => p.First >= p.Second))
            {
                var recovery = Stopwatch.GetElapsedTime(pending.InjectedAt);
                MaxRecovery = recovery > MaxRecovery ? recovery : MaxRecovery;
                log(string.Create(CultureInfo.InvariantCulture, $"recovered {recovery.TotalSeconds:F1} s after the injection (committed marks {string.Join(", ", marks)})"));
                _pending = null;
                _recovered.TrySetResult();
            }
        }
    }

    private void Check(string what, long value)
    {
        if (_seen.TryGetValue(what, out var before) && value < before)
        {
            var finding = $"{what} went backwards: {before} then {value} at {DateTime.UtcNow:HH:mm:ss} UTC";
            Backwards.Add(finding);
            log(finding);
        }

        _seen[what] = Math.Max(before, value);
    }
}
