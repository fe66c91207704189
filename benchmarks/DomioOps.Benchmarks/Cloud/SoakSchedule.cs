using System.Globalization;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>The faults the soak injects.</summary>
internal enum SoakFaultKind
{
    /// <summary>A silo is killed with SIGKILL and started again on the same ports.</summary>
    SiloKill,

    /// <summary>PostgreSQL is stopped (fast shutdown: connections cut) and started again with the same data.</summary>
    PostgresRestart,

    /// <summary>Mosquitto is stopped (SIGTERM: it writes its persistent sessions) and started again.</summary>
    MosquittoRestart,

    /// <summary>An edge agent is killed with SIGKILL and started again on the same data directory.</summary>
    EdgeKill,

    /// <summary>A simulated machine drops every connection (the simulator's <c>drop</c> fault), then answers again.</summary>
    DeviceCut,

    /// <summary>Every silo in turn is stopped gracefully (SIGTERM) and started again, as a rolling upgrade replaces them.</summary>
    RollingUpgrade,
}

/// <summary>One fault of the schedule: when (from the start of production), what, on which target, and for how long.</summary>
internal sealed record SoakFault(TimeSpan At, SoakFaultKind Kind, int Target, TimeSpan Outage)
{
    public static string Name(SoakFaultKind kind) => kind switch
    {
        SoakFaultKind.SiloKill => "silo-kill",
        SoakFaultKind.PostgresRestart => "postgres-restart",
        SoakFaultKind.MosquittoRestart => "mosquitto-restart",
        SoakFaultKind.EdgeKill => "edge-kill",
        SoakFaultKind.RollingUpgrade => "rolling-upgrade",
        _ => "device-cut",
    };

    public string Describe(IReadOnlyList<string> machines)
    {
        var seconds = Outage.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture);
        return Kind switch
        {
            SoakFaultKind.SiloKill => $"kill -9 silo-{Target}, restart after {seconds} s",
            SoakFaultKind.PostgresRestart => $"stop PostgreSQL, start again after {seconds} s",
            SoakFaultKind.MosquittoRestart => $"stop Mosquitto, start again after {seconds} s",
            SoakFaultKind.EdgeKill => $"kill -9 edge-{Target}, restart on its data after {seconds} s",
            SoakFaultKind.RollingUpgrade => "replace every silo in turn (SIGTERM, start again)",
            _ => $"cut device {machines[Target]} for {seconds} s",
        };
    }
}

/// <summary>
/// The seeded chaos schedule: after a warm-up, one fault about every <see cref="Spacing"/> (±20 %) until a quiet end, at least one of each kind, the kinds
/// drawn in rounds so that every round has each kind once; targets and outages drawn from the same seed.
/// </summary>
internal static class SoakSchedule
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan QuietEnd = TimeSpan.FromSeconds(20);

    /// <summary>About 20 s between faults in a run of up to 5 minutes, 30 s in longer runs; at least one fault of each kind.</summary>
    public static TimeSpan Spacing(TimeSpan duration) => duration <= TimeSpan.FromMinutes(5) ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(30);

    public static List<SoakFault> Create(TimeSpan duration, int seed, int silos, int edges, int machines)
    {
        // A reproducible schedule, not security: the seeded System.Random is the point.
#pragma warning disable CA5394
        var random = new Random(seed);
        var kinds = Enum.GetValues<SoakFaultKind>();
        var faults = new List<SoakFault>();
        var span = duration - WarmUp - QuietEnd;
        var count = Math.Max(kinds.Length, (int)(span / Spacing(duration)) + 1);
        var step = span / (count - 1);
        var round = new Queue<SoakFaultKind>();
        for (var i = 0; i < count; i++)
        {
            var at = WarmUp + (step * i) + (i is 0 || i == count - 1 ? TimeSpan.Zero : step * (0.4 * (random.NextDouble() - 0.5)));
            if (round.Count == 0)
            {
                foreach (var kind in kinds.OrderBy(_ => random.Next()))
                {
                    round.Enqueue(kind);
                }
            }

            var next = round.Dequeue();
            var target = next switch
            {
                SoakFaultKind.SiloKill => random.Next(silos),
                SoakFaultKind.EdgeKill => random.Next(edges),
                SoakFaultKind.DeviceCut => random.Next(machines),
                _ => 0,
            };
            faults.Add(new SoakFault(TimeSpan.FromSeconds(Math.Round(at.TotalSeconds, 1)), next, target, TimeSpan.FromSeconds(random.Next(2, next == SoakFaultKind.DeviceCut ? 13 : 7))));
        }
#pragma warning restore CA5394

        return faults;
    }
}
