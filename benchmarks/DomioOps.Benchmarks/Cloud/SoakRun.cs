using System.Diagnostics;
using System.Globalization;

using Npgsql;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>What a soak runs: how long the factory produces, at about what rate, with which seed, on how many silos and edges.</summary>
internal sealed record SoakSettings(TimeSpan Duration, int Rate, int Seed, int Silos = 3, int Edges = 2)
{
    /// <summary>Saws enough for the rate (each yields <see cref="SoakSystem.SamplesPerMachinePerSecond"/>), the same number per edge.</summary>
    public int Machines
    {
        get
        {
            var machines = Math.Max(Edges, (int)Math.Ceiling((double)Rate / SoakSystem.SamplesPerMachinePerSecond));
            return (machines + Edges - 1) / Edges * Edges;
        }
    }
}

/// <summary>
/// The fault soak: starts <see cref="SoakSystem"/>, lets the factory produce for the duration while the seeded
/// <see cref="SoakSchedule"/> injects faults (each after the previous one has recovered), watches that no committed
/// high-water mark and no piece count goes down, then stops production, lets the edges drain and checks that every
/// sample each edge sequenced is in history exactly once (or declared missing), and every machine's piece count
/// equals the simulator's.
/// </summary>
internal static class SoakRun
{
    /// <summary>The longest the harness waits for a fault to recover, the pieces to agree, or the edges to drain.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public static async Task<SoakResult> RunAsync(SoakSettings settings, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => log(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,7:F1} s] {line}"));

        var schedule = SoakSchedule.Create(settings.Duration, settings.Seed, settings.Silos, settings.Edges, settings.Machines);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"soak: {settings.Duration.TotalMinutes:F1} min at about {settings.Rate} samples/s ({settings.Machines} saws x {SoakSystem.SamplesPerMachinePerSecond}/s), seed {settings.Seed}, {settings.Silos} silos, {settings.Edges} edges; {schedule.Count} faults:"));
        var names = Enumerable.Range(1, settings.Machines).Select(i => $"saw-{i:000}").ToList();
        foreach (var fault in schedule)
        {
            Log(string.Create(CultureInfo.InvariantCulture, $"  at +{fault.At.TotalSeconds,5:F1} s: {fault.Describe(names)}"));
        }

        await using var system = await SoakSystem.StartAsync(settings.Silos, settings.Edges, settings.Machines, settings.Seed, ct);
        Log($"started: PostgreSQL :{system.Postgres.Port}, Mosquitto :{system.Broker.Port}, {string.Join(", ", system.Silos)}, simulator {system.Simulator}, {string.Join(", ", system.Edges)}");
        var findings = new List<string>();
        var injected = new Dictionary<SoakFaultKind, int>();
        using var watch = new SoakWatch(system, Log);
        var production = Stopwatch.StartNew();
        var watching = watch.RunAsync(ct);
        try
        {
            foreach (var fault in schedule)
            {
                if (fault.At > production.Elapsed)
                {
                    await Task.Delay(fault.At - production.Elapsed, ct);
                }

                if (!await watch.WaitRecoveredAsync(Patience, ct))
                {
                    findings.Add($"the fault before +{fault.At.TotalSeconds:F0} s did not recover within {Patience.TotalMinutes} min");
                }

                var before = watch.Committed();
                Log($"inject {SoakFault.Name(fault.Kind)}: {fault.Describe(system.Machines.Select(m => m.Machine).ToList())} (committed marks {string.Join(", ", before)})");
                var injectedAt = Stopwatch.GetTimestamp();
                await InjectAsync(system, fault, ct);
                injected[fault.Kind] = injected.GetValueOrDefault(fault.Kind) + 1;
                var targets = Enumerable.Range(0, settings.Edges).Select(e => system.ReadQueue(e).LastSequence).ToList();
                Log($"restored {SoakFault.Name(fault.Kind)}; recovered when the cloud has committed {string.Join(", ", targets)}");
                watch.ExpectRecovery(injectedAt, targets);
            }

            if (settings.Duration > production.Elapsed)
            {
                await Task.Delay(settings.Duration - production.Elapsed, ct);
            }

            if (!await watch.WaitRecoveredAsync(Patience, ct))
            {
                findings.Add($"the last fault did not recover within {Patience.TotalMinutes} min");
            }

            // The end: every saw held (its counters stop), then the simulator stopped once the cloud has the final counts, so
            // the edges sequence nothing more, and drain.
            foreach (var machine in system.Machines)
            {
                await system.ControlSimulatorAsync(HttpMethod.Post, $"api/machines/{machine.Machine}/hold", ct);
            }

            var produced = production.Elapsed;
            var truth = (await system.SimulatedMachinesAsync(ct)).ToDictionary(m => m.Machine, m => (long)m.Pieces, StringComparer.Ordinal);
            Log($"production stopped after {produced.TotalSeconds:F0} s: {truth.Values.Sum()} pieces on {truth.Count} saws");
            var pieces = await WaitForPiecesAsync(system, truth, ct);
            await system.Simulator!.StopAsync();
            var drained = await WaitDrainedAsync(system, settings.Edges, ct);
            Log(drained ? "edges drained" : $"edges not drained within {Patience.TotalMinutes} min");
            if (!drained)
            {
                findings.Add($"the edges did not drain within {Patience.TotalMinutes} min");
            }

            await watch.StopAsync();
            await watching;
            foreach (var edge in system.Edges.OfType<Testing.HostProcess>())
            {
                await edge.StopAsync();
            }

            var edges = new List<SoakEdgeFigures>();
            for (var e = 0; e < settings.Edges; e++)
            {
                edges.Add(await CheckHistoryAsync(system, e, findings, ct));
            }

            var mismatches = truth.Where(t => pieces.GetValueOrDefault(t.Key, -1) != t.Value).Select(t => $"{t.Key}: cloud {pieces.GetValueOrDefault(t.Key, -1)}, simulator {t.Value}").ToList();
            findings.AddRange(mismatches.Select(m => $"piece count differs: {m}"));
            findings.AddRange(watch.Backwards);
            return new SoakResult(settings, produced, edges, injected, mismatches.Count, watch.Backwards.Count, watch.MaxRecovery, findings);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log($"the soak failed: {e}\n{system.Logs()}");
            throw;
        }
        finally
        {
            await watch.StopAsync();
            await watching;
        }
    }

    private static async Task InjectAsync(SoakSystem system, SoakFault fault, CancellationToken ct)
    {
        switch (fault.Kind)
        {
            case SoakFaultKind.SiloKill:
                await system.KillSiloAsync(fault.Target);
                await Task.Delay(fault.Outage, ct);
                await system.RestartSiloAsync(fault.Target, ct);
                break;
            case SoakFaultKind.RollingUpgrade:
                for (var silo = 0; silo < system.Silos.Count; silo++)
                {
                    await system.ReplaceSiloAsync(silo, ct);
                }

                break;
            case SoakFaultKind.PostgresRestart:
                await system.Postgres.StopAsync(ct);
                await Task.Delay(fault.Outage, ct);
                await system.Postgres.StartAgainAsync(ct);
                break;
            case SoakFaultKind.MosquittoRestart:
                await system.Broker.StopAsync(ct);
                await Task.Delay(fault.Outage, ct);
                await system.Broker.StartAgainAsync(ct);
                break;
            case SoakFaultKind.EdgeKill:
                await system.Edges[fault.Target]!.StopAsync(kill: true);
                await Task.Delay(fault.Outage, ct);
                await system.StartEdgeAsync(fault.Target, ct);
                break;
            default:
                var machine = system.Machines[fault.Target].Machine;
                await system.ControlSimulatorAsync(HttpMethod.Post, $"api/machines/{machine}/fault/drop", ct);
                await Task.Delay(fault.Outage, ct);
                await system.ControlSimulatorAsync(HttpMethod.Delete, $"api/machines/{machine}/fault", ct);
                break;
        }
    }

    /// <summary>Waits until the cloud's piece count of every saw is the simulator's (or the patience is over); returns the cloud's last counts.</summary>
    private static async Task<Dictionary<string, long>> WaitForPiecesAsync(SoakSystem system, Dictionary<string, long> truth, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var pieces = new Dictionary<string, long>(StringComparer.Ordinal);
        while (deadline.Elapsed < Patience)
        {
            if (await system.AskCloudAsync<List<SoakMachineView>>("api/machines", ct) is { } machines)
            {
                pieces = machines.ToDictionary(m => m.Id, m => m.PieceCount, StringComparer.Ordinal);
                if (truth.All(t => pieces.GetValueOrDefault(t.Key, -1) == t.Value))
                {
                    break;
                }
            }

            await Task.Delay(500, ct);
        }

        return pieces;
    }

    /// <summary>Waits until each edge's queue is empty and the cloud has committed up to its last sequence.</summary>
    private static async Task<bool> WaitDrainedAsync(SoakSystem system, int edges, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var settled = 0;
        while (deadline.Elapsed < Patience)
        {
            var drained = true;
            for (var e = 0; e < edges && drained; e++)
            {
                var (last, waiting) = system.ReadQueue(e);
                var cloud = await system.AskCloudAsync<SoakEdgeView>($"api/edges/{SoakSystem.Site}/{SoakSystem.EdgeId(e)}", ct);
                drained = waiting == 0 && cloud?.HighestSequence == last;
            }

            // Twice in a row, a second apart: a read the edge made just before the simulator stopped is sequenced too.
            if (drained && ++settled == 2)
            {
                return true;
            }

            settled = drained ? settled : 0;
            await Task.Delay(1000, ct);
        }

        return false;
    }

    /// <summary>
    /// Compares what the edge sequenced (its queue's last sequence, read after it stopped) with its rows in history: every
    /// sequence 1..last once, or counted missing by the cloud's EdgeGrain; names the first gaps and duplicates.
    /// </summary>
    private static async Task<SoakEdgeFigures> CheckHistoryAsync(SoakSystem system, int edge, List<string> findings, CancellationToken ct)
    {
        var id = SoakSystem.EdgeId(edge);
        var key = $"{SoakSystem.Site}/{id}";
        var (last, waiting) = system.ReadQueue(edge);
        var cloud = await system.AskCloudAsync<SoakEdgeView>($"api/edges/{SoakSystem.Site}/{id}", ct);
        await using var connection = new NpgsqlConnection(system.ConnectionString);
        await connection.OpenAsync(ct);
        long rows, distinct, max;
        await using (var count = new NpgsqlCommand("SELECT count(*), count(DISTINCT sequence), coalesce(max(sequence), 0) FROM telemetry_sample WHERE edge = @edge", connection))
        {
            count.Parameters.AddWithValue("edge", key);
            await using var reader = await count.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (rows, distinct, max) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        var missing = (long)(cloud?.MissingSamples ?? 0);
        var figures = new SoakEdgeFigures(id, last, rows, distinct, max, missing, Lost: Math.Max(0, (long)last - distinct - missing), Duplicated: rows - distinct);
        if (figures.Lost > 0 || missing > 0 || max != (long)last || waiting > 0)
        {
            await using var gaps = new NpgsqlCommand("""
                SELECT coalesce(previous, 0) + 1, sequence - 1, previous_ts FROM (
                    SELECT sequence, ts, lag(sequence) OVER (ORDER BY sequence) AS previous, lag(ts) OVER (ORDER BY sequence) AS previous_ts
                    FROM (SELECT DISTINCT ON (sequence) sequence, ts FROM telemetry_sample WHERE edge = @edge ORDER BY sequence) d) g
                WHERE sequence > coalesce(previous, 0) + 1 ORDER BY sequence LIMIT 10
                """, connection);
            gaps.Parameters.AddWithValue("edge", key);
            await using var reader = await gaps.ExecuteReaderAsync(ct);
            var ranges = new List<string>();
            while (await reader.ReadAsync(ct))
            {
                ranges.Add($"{reader.GetInt64(0)}-{reader.GetInt64(1)} (after a sample of {(reader.IsDBNull(2) ? "-" : reader.GetDateTime(2).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))} UTC)");
            }

            findings.Add($"{id}: sequenced 1..{last} ({waiting} still queued), history has {distinct} distinct up to {max}, cloud declares {missing} missing; gaps: {(ranges.Count == 0 ? "none below the maximum" : string.Join(", ", ranges))}");
        }

        if (figures.Duplicated > 0)
        {
            await using var doubled = new NpgsqlCommand("SELECT sequence, count(*) FROM telemetry_sample WHERE edge = @edge GROUP BY sequence HAVING count(*) > 1 ORDER BY sequence LIMIT 10", connection);
            doubled.Parameters.AddWithValue("edge", key);
            await using var reader = await doubled.ExecuteReaderAsync(ct);
            var sequences = new List<string>();
            while (await reader.ReadAsync(ct))
            {
                sequences.Add($"{reader.GetInt64(0)} x{reader.GetInt64(1)}");
            }

            findings.Add($"{id}: {figures.Duplicated} duplicate rows in history, e.g. {string.Join(", ", sequences)}");
        }

        return figures;
    }
}

/// <summary>One edge's figures at the end: what it sequenced and what history holds of it.</summary>
internal sealed record SoakEdgeFigures(string Edge, ulong LastSequence, long Rows, long Distinct, long MaxSequence, long Missing, long Lost, long Duplicated);

/// <summary>What the cloud's <c>GET /api/edges/{site}/{edge}</c> reports (the part the soak reads).</summary>
internal sealed record SoakEdgeView(ulong HighestSequence, long SamplesAccepted, long DuplicatesDropped, ulong MissingSamples);

/// <summary>What the cloud's <c>GET /api/machines</c> reports of a machine (the part the soak reads).</summary>
internal sealed record SoakMachineView(string Id, long PieceCount);

/// <summary>The soak's outcome: the figures of its one line, and every finding that makes it fail.</summary>
internal sealed record SoakResult(
    SoakSettings Settings, TimeSpan Produced, IReadOnlyList<SoakEdgeFigures> Edges, IReadOnlyDictionary<SoakFaultKind, int> Faults,
    int PieceMismatches, int WentBackwards, TimeSpan MaxRecovery, IReadOnlyList<string> Findings)
{
    public bool Passed => Findings.Count == 0;

    public string Line()
    {
        var committed = Edges.Sum(e => e.Distinct);
        var faults = string.Join(", ", Enum.GetValues<SoakFaultKind>().Select(k => $"{SoakFault.Name(k)} {Faults.GetValueOrDefault(k)}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"soak: {Produced.TotalMinutes:F1} min, {Settings.Silos} silos, {Settings.Edges} edges, {Settings.Machines} saws, seed {Settings.Seed}: {committed:N0} samples committed, {committed / Produced.TotalSeconds:N0} samples/s; faults {faults}; lost {Edges.Sum(e => e.Lost)}, duplicated {Edges.Sum(e => e.Duplicated)}, missing {Edges.Sum(e => e.Missing)}, piece mismatches {PieceMismatches}, went backwards {WentBackwards}; max recovery {MaxRecovery.TotalSeconds:F1} s; {(Passed ? "PASSED" : "FAILED")}");
    }
}
