using System.Diagnostics;
using System.Globalization;

using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Tests.Planning;

namespace DomioOps.Benchmarks.Planning;

/// <summary>
/// The planner in memory (no database): a factory of <c>operations</c> operations (default 10,000) over <c>centres</c>
/// work centres (default 50) of two machines on two shifts, about 8 weeks of load (<see cref="SyntheticShop.Factory"/>):
/// <list type="number">
/// <item>the schedule from scratch (the first, cold run; then the median of 11 runs after 5 warm-up runs) and the bytes it allocates;</item>
/// <item>a reschedule after one machine stops now (an open breakdown of 2 hours), reusing the previous schedule, and
/// after a maintenance window is planned 3 weeks out; each with how many placements were kept;</item>
/// <item>capacity per work centre and day, and the Monte Carlo forecast (10,000 trials) of every order;</item>
/// <item>the forecast's calibration over a simulated month (<see cref="Calibration"/>): the share of orders that
/// finished by their P90 over 50 simulated months (aim 85-95 %).</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- planning-load [operations] [centres]</c>
/// </summary>
internal static class PlanningLoadHarness
{
    public static Task<int> RunAsync(string[] args)
    {
        var operations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var centres = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        // Monday 7 December 2026, 06:00 in Moscow.
        var now = DateTimeOffset.FromUnixTimeSeconds(WorkingTime.Instant(SyntheticShop.Moscow, new DateOnly(2026, 12, 7), new TimeOnly(6, 0)));
        var input = SyntheticShop.Factory(operations, centres, now);
        var cold = Stopwatch.GetTimestamp();
        var plan = Scheduler.Plan(input);
        var first = Stopwatch.GetElapsedTime(cold).TotalMilliseconds;
        var last = plan.Finish.Max();
        Print($"planning-load: {operations} operations, {centres} work centres, {plan.MachineIds.Length} machines, {input.Operations.Select(o => o.OrderId).Distinct().Count()} orders; last operation ends {DateTimeOffset.FromUnixTimeSeconds(last):yyyy-MM-dd HH:mm} UTC ({(last - plan.Now) / 86_400.0:F1} days; calendars laid out {plan.Horizon.TotalDays:F0} days)");

        var (scratch, scratchBytes) = Measure(() => Scheduler.Plan(input));
        Print($"from scratch: first run (cold, JIT) {first:F0} ms; then median {scratch:F1} ms, {scratchBytes / 1024.0 / 1024:F1} MiB allocated");

        var machine = input.Centres[centres / 2].Machines[0];
        var stopped = input with { Downs = [new MachineDown(machine, now, now.AddHours(2), false)] };
        var (stop, stopBytes) = Measure(() => Scheduler.Replan(plan, stopped));
        var afterStop = Scheduler.Replan(plan, stopped);
        var (stopScratch, _) = Measure(() => Scheduler.Plan(stopped));
        var moved = Enumerable.Range(0, operations).Count(i => afterStop.Finish[i] != plan.Finish[i]);
        Print($"{machine} stops now (2 h): reschedule median {stop:F1} ms, {stopBytes / 1024.0 / 1024:F1} MiB allocated, {afterStop.Reused} of {operations} placements kept, {moved} operations moved (from scratch: {stopScratch:F1} ms)");

        var maintained = input with { Downs = [new MachineDown(machine, now.AddDays(21), now.AddDays(21).AddHours(4), true)] };
        var (maintenance, maintenanceBytes) = Measure(() => Scheduler.Replan(plan, maintained));
        var afterMaintenance = Scheduler.Replan(plan, maintained);
        Print($"maintenance planned on {machine} in 3 weeks (4 h): reschedule median {maintenance:F1} ms, {maintenanceBytes / 1024.0 / 1024:F1} MiB allocated, {afterMaintenance.Reused} of {operations} placements kept");

        var (capacity, capacityBytes) = Measure(() => plan.Capacity());
        var (views, viewBytes) = Measure(() => plan.Operations());
        Print($"capacity per work centre and day ({plan.Capacity().Count} rows): {capacity:F1} ms, {capacityBytes / 1024.0 / 1024:F1} MiB; the operations as records: {views:F1} ms, {viewBytes / 1024.0 / 1024:F1} MiB");

        var before = GC.GetTotalAllocatedBytes(true);
        var started = Stopwatch.GetTimestamp();
        var forecast = DueDateForecast.Run(plan, [], DueDateForecast.DefaultTrials, 15);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Print($"forecast, {DueDateForecast.DefaultTrials} trials of {operations} operations ({forecast.Count} orders, {Environment.ProcessorCount} cores): {elapsed.TotalMilliseconds:F0} ms, {(GC.GetTotalAllocatedBytes(true) - before) / 1024.0 / 1024:F1} MiB allocated");

        var month = DateTimeOffset.FromUnixTimeSeconds(WorkingTime.Instant(SyntheticShop.Moscow, new DateOnly(2026, 11, 2), new TimeOnly(6, 0)));
        var (predicted, actual) = Calibration.Run(operations: 1000, centres: 10, worlds: 50, month);
        Print($"calibration over a simulated month (1,000 operations, 10 work centres, {predicted.Count} orders, 50 simulated months): {Calibration.Share(predicted, actual):P1} of orders finished by their P90 (aim 85-95 %)");
        return Task.FromResult(0);
    }

    /// <summary>The median time of 11 runs after a warm-up, and the bytes one run allocates.</summary>
    private static (double Milliseconds, long Bytes) Measure<T>(Func<T> run)
    {
        for (var i = 0; i < 5; i++)
        {
            GC.KeepAlive(run());
        }

        var times = new List<double>();
        for (var i = 0; i < 11; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(run());
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(run());
        return (times.Order().ElementAt(5), GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
