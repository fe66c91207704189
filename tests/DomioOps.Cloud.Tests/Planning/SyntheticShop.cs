using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>
/// Seeded random shops for the scheduler's property tests and the planning-load benchmark (linked there): work centres
/// with day, two-shift and night calendars, breaks, holidays, machines (or none), down windows, parts routed over 1-4
/// work centres, some running or paused, and a few sequence overrides.
/// </summary>
internal static class SyntheticShop
{
    public static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    public static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly List<DayOfWeek> Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    public static WorkCalendar Night => new()
    {
        Shifts = [new("N", new(22, 0), new(6, 0), Weekdays, [new(new(2, 0), new(2, 30))])],
    };

    public static WorkCalendar Day => new()
    {
        Shifts = [new("D", new(7, 0), new(16, 0), [.. Weekdays, DayOfWeek.Saturday], [new(new(9, 0), new(9, 15)), new(new(12, 0), new(12, 45))])],
    };

    /// <summary>A small random shop for a property test case.</summary>
    public static PlanInput Random(int seed)
    {
        var random = new Random(seed);
        var zone = random.Next(2) == 0 ? Moscow : Berlin;
        // Around a change to summer time now and then.
        var now = random.Next(4) == 0
            ? new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(3 * 24 * 60))
            : new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(14 * 24 * 60));
        var centres = new List<PlanCentre>();
        var centreCount = random.Next(1, 5);
        for (var c = 0; c < centreCount; c++)
        {
            var calendar = random.Next(4) switch
            {
                0 => Night,
                1 => Day,
                _ => WorkCalendar.TwoShifts,
            };
            if (random.Next(3) == 0)
            {
                var today = DateOnly.FromDateTime(now.UtcDateTime);
                calendar = calendar with { Holidays = [today.AddDays(random.Next(0, 5)), today.AddDays(random.Next(5, 10))] };
            }

            var machines = random.Next(5) == 0 ? 0 : random.Next(1, 4);
            centres.Add(new PlanCentre($"wc{c}", [.. Enumerable.Range(0, machines).Select(m => $"wc{c}-m{m}")], calendar));
        }

        var operations = new List<PlanOperation>();
        var running = new HashSet<string>();
        long id = 1;
        var parts = random.Next(1, 16);
        for (var p = 0; p < parts; p++)
        {
            long order = 1 + random.Next(4);
            var steps = random.Next(1, 5);
            for (var s = 1; s <= steps; s++)
            {
                var centre = centres[random.Next(centres.Count)];
                var state = s == 1 ? OperationState.Ready : OperationState.Planned;
                string? machine = null;
                if (s == 1 && centre.Machines.Count > 0 && random.Next(4) == 0)
                {
                    machine = centre.Machines[random.Next(centre.Machines.Count)];
                    state = running.Add(machine) ? OperationState.Running : OperationState.Paused;
                }

                operations.Add(new PlanOperation(id++, order, $"O-{order}", 100 + p, $"Part {p}", s, centre.Id, state, machine,
                    random.Next(0, 40), random.Next(0, 4) * 600, random.Next(0, 240), (int)(order % 5) + 1,
                    DateOnly.FromDateTime(now.UtcDateTime).AddDays(random.Next(1, 20)), state is OperationState.Running or OperationState.Paused));
            }
        }

        var downs = new List<MachineDown>();
        foreach (var machine in centres.SelectMany(c => c.Machines))
        {
            if (random.Next(3) == 0)
            {
                var from = now.AddMinutes(random.Next(-60, 3 * 24 * 60));
                downs.Add(new MachineDown(machine, from, from.AddMinutes(random.Next(10, 600)), random.Next(2) == 0));
            }
        }

        var overrides = new List<SequenceOverride>();
        for (var k = random.Next(3); k > 0 && operations.Count > 1; k--)
        {
            var op = operations[random.Next(operations.Count)];
            var centre = centres.Single(c => c.Id == op.WorkCentreId);
            var anchor = operations.Where(o => o.WorkCentreId == op.WorkCentreId && o.Id != op.Id).Select(o => (long?)o.Id).FirstOrDefault();
            overrides.Add(new SequenceOverride(op.Id, random.Next(3) == 0 ? null : anchor,
                centre.Machines.Count > 0 && random.Next(2) == 0 ? centre.Machines[random.Next(centre.Machines.Count)] : null));
        }

        return new PlanInput(now, zone, centres, operations, downs, overrides);
    }

    /// <summary>
    /// The benchmark's factory: <paramref name="centres"/> work centres of two machines on two shifts, parts of 2-4
    /// steps until there are <paramref name="operations"/> operations, about 85 % of 8 weeks' capacity, orders of about 10
    /// parts due over the 8 weeks, the first operation of each machine running.
    /// </summary>
    public static PlanInput Factory(int operations, int centres, DateTimeOffset now, int seed = 15)
    {
        var random = new Random(seed);
        var shop = Enumerable.Range(0, centres).Select(c => new PlanCentre($"wc{c:D2}", [$"wc{c:D2}-a", $"wc{c:D2}-b"], WorkCalendar.TwoShifts)).ToList();
        var list = new List<PlanOperation>(operations);
        var running = new HashSet<string>();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        long part = 0;
        while (list.Count < operations)
        {
            part++;
            var order = 1 + (part / 10);
            var steps = Math.Min(random.Next(2, 5), operations - list.Count);
            var visited = Enumerable.Range(0, centres).OrderBy(_ => random.Next()).Take(steps).ToList();
            for (var s = 1; s <= steps; s++)
            {
                var centre = shop[visited[s - 1]];
                var state = s == 1 ? OperationState.Ready : OperationState.Planned;
                string? machine = null;
                if (s == 1 && centre.Machines.FirstOrDefault(m => !running.Contains(m)) is { } free)
                {
                    running.Add(free);
                    (state, machine) = (OperationState.Running, free);
                }

                list.Add(new PlanOperation(list.Count + 1, order, $"SO-{order:D5}", part, $"Panel {part}", s, centre.Id, state, machine,
                    random.Next(20, 200), 1800, random.Next(60, 180), 1 + (int)(order % 5), today.AddDays(7 + (int)(order * 49 / (operations / 30 + 1))),
                    state == OperationState.Running));
            }
        }

        return new PlanInput(now, Moscow, shop, list, [], []);
    }
}
