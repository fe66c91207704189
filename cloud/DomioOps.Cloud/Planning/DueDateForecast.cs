namespace DomioOps.Cloud.Planning;

/// <summary>
/// What a work centre's operations measured against their standard times: set-up ratios (actual / standard set-up),
/// cycle ratios (run time per piece / standard cycle, stops while running included) and stop shares (time lost to
/// stops outside the run time, as a share of the run time). A list with fewer than <see cref="DueDateForecast.MinHistory"/>
/// values is too thin: the standard time with the fallback spread is used instead.
/// </summary>
internal sealed record WorkCentreHistory(string WorkCentreId, IReadOnlyList<double> SetupRatios, IReadOnlyList<double> CycleRatios, IReadOnlyList<double> StopShares);

/// <summary>An order's completion over the trials, as instants (Unix seconds): planned, P50 and P90.</summary>
internal readonly record struct OrderCompletion(long OrderId, long Projected, long P50, long P90);

/// <summary>
/// The Monte Carlo due-date forecast. Each trial keeps the schedule's machines and their sequences (each machine works
/// its operations in planned start order) and draws every operation's set-up, cycle and stop ratios from its work
/// centre's measured distributions; an operation starts when its machine is free, its previous step has ended and
/// not before now, and works in its machine's working time. An order completes when its last operation ends. Trial
/// <c>i</c> draws from its own generator seeded with <c>(seed, i)</c>, so the same inputs and seed give the same P50
/// and P90 whatever the threads do.
/// </summary>
internal static class DueDateForecast
{
    public const int MinHistory = 5;
    public const int DefaultTrials = 10_000;

    /// <summary>The fallback spread of a standard time: triangular, from 0.95 to 1.30 of it, most likely 1.0.</summary>
    public const double FallbackLow = 0.95;
    public const double FallbackMode = 1.0;
    public const double FallbackHigh = 1.30;

    public static IReadOnlyList<OrderCompletion> Run(SchedulePlan plan, IReadOnlyList<WorkCentreHistory> history, int trials, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(history);
        var ops = plan.Input.Operations;
        var operationCount = ops.Count;
        // The orders, and each operation's order index.
        var orderIndex = new Dictionary<long, int>();
        var orderOf = new int[operationCount];
        for (var i = 0; i < operationCount; i++)
        {
            if (!orderIndex.TryGetValue(ops[i].OrderId, out var order))
            {
                orderIndex[ops[i].OrderId] = order = orderIndex.Count;
            }

            orderOf[i] = order;
        }

        // The simulation order: planned start (a machine's sequence and every step after its predecessor).
        var sequence = new int[operationCount];
        for (var i = 0; i < operationCount; i++)
        {
            sequence[i] = i;
        }

        Array.Sort(sequence, (a, b) => plan.Start[a] != plan.Start[b] ? plan.Start[a].CompareTo(plan.Start[b]) : plan.Finish[a].CompareTo(plan.Finish[b]));
        var byCentre = history.ToDictionary(h => h.WorkCentreId, StringComparer.Ordinal);
        var distributions = new Distribution[plan.Input.Centres.Count];
        for (var c = 0; c < distributions.Length; c++)
        {
            distributions[c] = new Distribution(byCentre.GetValueOrDefault(plan.Input.Centres[c].Id));
        }

        // The operations in simulation order, each with what a trial needs, next to each other in memory.
        var position = new int[operationCount];
        for (var k = 0; k < operationCount; k++)
        {
            position[sequence[k]] = k;
        }

        var steps = new Step[operationCount];
        for (var k = 0; k < operationCount; k++)
        {
            var op = sequence[k];
            steps[k] = new Step(plan.Machine[op], plan.Predecessor[op] >= 0 ? position[plan.Predecessor[op]] : -1, plan.OperationCentre[op], orderOf[op],
                ops[op].Started ? 0 : ops[op].SetupSeconds, ops[op].Remaining * ops[op].CycleSeconds);
        }

        var orders = orderIndex.Count;
        var results = new int[orders][];
        for (var order = 0; order < orders; order++)
        {
            results[order] = new int[trials];
        }

        var now = plan.Now;
        var horizon = plan.End;
        var times = plan.MachineTimes;
        // At most one worker per core: the trials never grow the thread pool that requests are served from.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, trials, parallel, () => (End: new long[operationCount], Free: new long[times.Length], Done: new long[orders]), (trial, _, state) =>
        {
            var random = new SplitMix(seed, (ulong)trial);
            var (ends, free, done) = state;
            Array.Fill(free, now);
            Array.Clear(done);
            for (var k = 0; k < steps.Length; k++)
            {
                ref readonly var step = ref steps[k];
                var dist = distributions[step.Centre];
                var release = Math.Max(free[step.Machine], step.Predecessor >= 0 ? ends[step.Predecessor] : now);
                var work = (step.Setup > 0 ? step.Setup * dist.Setup(ref random) : 0) + (step.Run > 0 ? step.Run * dist.Cycle(ref random) * (1 + dist.Stop(ref random)) : 0);
                var end = times[step.Machine].Advance(release, (long)Math.Ceiling(work));
                end = end == long.MaxValue ? horizon : end;
                ends[k] = end;
                free[step.Machine] = end;
                if (end > done[step.Order])
                {
                    done[step.Order] = end;
                }
            }

            for (var order = 0; order < orders; order++)
            {
                results[order][trial] = (int)Math.Min(int.MaxValue, Math.Max(0, done[order] - now));
            }

            return state;
        }, _ => { });

        var projected = new long[orders];
        for (var i = 0; i < operationCount; i++)
        {
            projected[orderOf[i]] = Math.Max(projected[orderOf[i]], plan.Finish[i]);
        }

        var answer = new OrderCompletion[orders];
        foreach (var (orderId, order) in orderIndex)
        {
            var sorted = results[order];
            Array.Sort(sorted);
            answer[order] = new OrderCompletion(orderId, projected[order], now + Quantile(sorted, 0.5), now + Quantile(sorted, 0.9));
        }

        return answer;
    }

    /// <summary>Whether an order whose P90 is <paramref name="p90"/> is at risk: P90 after the end of its due date (plant-local midnight).</summary>
    public static bool AtRisk(DateOnly dueDate, long p90, TimeZoneInfo zone) => p90 > WorkingTime.Instant(zone, dueDate.AddDays(1), TimeOnly.MinValue);

    /// <summary>The nearest-rank quantile of sorted values.</summary>
    public static int Quantile(int[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private readonly record struct Step(int Machine, int Predecessor, int Centre, int Order, double Setup, double Run);

    /// <summary>A work centre's ratios: drawn from the measured values, or from the fallback spread when they are too few.</summary>
    private sealed class Distribution(WorkCentreHistory? history)
    {
        private readonly double[]? _setups = Enough(history?.SetupRatios);
        private readonly double[]? _cycles = Enough(history?.CycleRatios);
        private readonly double[]? _stops = Enough(history?.StopShares);

        public double Setup(ref SplitMix random) => _setups is null ? Fallback(ref random) : _setups[random.Below(_setups.Length)];

        public double Cycle(ref SplitMix random) => _cycles is null ? Fallback(ref random) : _cycles[random.Below(_cycles.Length)];

        public double Stop(ref SplitMix random) => _stops is null ? 0 : _stops[random.Below(_stops.Length)];

        private static double[]? Enough(IReadOnlyList<double>? values) =>
            values is { Count: >= MinHistory } ? [.. values.Where(v => double.IsFinite(v) && v >= 0)] : null;

        private static double Fallback(ref SplitMix random)
        {
            // Triangular by its inverse distribution function.
            var u = random.NextDouble();
            var split = (FallbackMode - FallbackLow) / (FallbackHigh - FallbackLow);
            return u < split
                ? FallbackLow + Math.Sqrt(u * (FallbackHigh - FallbackLow) * (FallbackMode - FallbackLow))
                : FallbackHigh - Math.Sqrt((1 - u) * (FallbackHigh - FallbackLow) * (FallbackHigh - FallbackMode));
        }
    }
}

/// <summary>SplitMix64: a small, fast generator whose stream is fixed by its seed (here the forecast's seed and the trial).</summary>
internal struct SplitMix(ulong seed, ulong stream)
{
    private ulong _state = seed ^ (stream * 0xD1B5_4A32_D192_ED03UL) ^ 0x9E37_79B9_7F4A_7C15UL;

    public ulong Next()
    {
        var z = _state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public int Below(int count) => (int)((Next() >> 33) * (ulong)count >> 31);
}
