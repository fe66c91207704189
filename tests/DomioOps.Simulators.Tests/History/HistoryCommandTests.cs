using System.Globalization;
using System.Text.Json;

using DomioOps.Simulators.History;

namespace DomioOps.Simulators.Tests.History;

/// <summary>The history command: minute rollups of every mapped signal, consistent with the ground-truth log it writes beside them.</summary>
public sealed class HistoryCommandTests : IDisposable
{
    // Failures made frequent enough to appear in two days; the saw's shift leaves it off at night.
    private const string Scenario = """
        {
          "seed": 7,
          "shifts": [ { "name": "day", "start": "06:00:00", "end": "22:00:00" } ],
          "machines": [
            { "id": "cnc-01", "kind": "cnc-router", "port": 0, "failures": { "spindle-bearing": { "meanTimeToOnset": "0.12:00:00", "progression": "04:00:00", "repair": "01:00:00" } } },
            { "id": "saw-01", "kind": "panel-saw", "port": 0, "failures": { "blade-dulling": { "meanTimeToOnset": "0.12:00:00", "progression": "03:00:00", "repair": "00:40:00" } } }
          ]
        }
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("domioops-history-");

    [Fact]
    public void Run_TwoDays_WritesARollupRowPerMachineSignalAndMinuteWithTheAlarmOfEveryFailure()
    {
        var scenario = Path.Combine(_folder.FullName, "scenario.json");
        var output = Path.Combine(_folder.FullName, "out");
        File.WriteAllText(scenario, Scenario);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = HistoryCommand.Run(["--scenario", scenario, "--start", "2026-01-05T00:00:30Z", "--duration", "2.00:00:00", "--output", output], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "history.json")));
        Assert.Equal("2026-01-05T00:00:00+00:00", manifest.RootElement.GetProperty("from").GetString()); // whole minutes
        Assert.Equal(["cnc-01", "saw-01"], manifest.RootElement.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetString()));

        // 2 days = 2880 minutes; the router maps 10 signals, the saw 9 (telemetry.proto numbers).
        var cnc = Rows(output, "cnc-01");
        var saw = Rows(output, "saw-01");
        Assert.Equal(2880 * 10, cnc.Count);
        Assert.Equal(2880 * 9, saw.Count);
        Assert.Equal([1, 3, 4, 6, 7, 8, 13, 15, 25, 29], cnc.Select(r => r.Signal).Distinct().Order());
        Assert.All(cnc.Concat(saw), r => Assert.Equal(6, r.Count)); // a sample every 10 s
        // Printed with 9 significant digits: the sum is within its rounding of 6 × min … 6 × max.
        Assert.All(cnc.Concat(saw), r => Assert.True(r.Min <= r.Last && r.Last <= r.Max && (r.Min * 6) - r.Sum <= 1e-7 * Math.Max(1, Math.Abs(r.Sum)) && r.Sum - (r.Max * 6) <= 1e-7 * Math.Max(1, Math.Abs(r.Sum))));

        // Every failure of the ground truth shows as its alarm code in the alarm rollup (signal 15) of its minute, on the error state.
        var failures = File.ReadAllLines(Path.Combine(output, "ground-truth.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "failure")
            .ToList();
        Assert.Contains(failures, f => f.GetProperty("alarm").GetInt32() == 201);
        Assert.Contains(failures, f => f.GetProperty("alarm").GetInt32() == 101);
        foreach (var failure in failures)
        {
            var at = failure.GetProperty("time").GetDateTimeOffset();
            // The first sample to see it is the next one on the 10 s grid; the rollup of that sample's minute holds it.
            var tick = TimeSpan.FromSeconds(10).Ticks;
            var sampled = ((at.UtcTicks + tick - 1) / tick) * tick;
            var minute = new DateTimeOffset(sampled - (sampled % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            var rows = failure.GetProperty("machine").GetString() == "cnc-01" ? cnc : saw;
            Assert.Equal(failure.GetProperty("alarm").GetInt32(), rows.Single(r => r.Minute == minute && r.Signal == 15).Max);
            Assert.Equal(4, rows.Single(r => r.Minute == minute && r.Signal == 1).Max);
        }
    }

    [Fact]
    public void Run_WithoutOutput_PrintsUsage()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = HistoryCommand.Run(["--scenario", "x.json"], stdout, stderr);

        Assert.Equal(2, exit);
        Assert.StartsWith("usage: DomioOps.Simulators history", stderr.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static List<Row> Rows(string directory, string machine)
    {
        var lines = File.ReadAllLines(Path.Combine(directory, $"rollups-{machine}.csv"));
        Assert.Equal("minute,machine,signal,min,max,sum,count,last,last_ts,last_sequence", lines[0]);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(c =>
        {
            Assert.Equal(machine, c[1]);
            return new Row(DateTimeOffset.Parse(c[0], CultureInfo.InvariantCulture), int.Parse(c[2], CultureInfo.InvariantCulture),
                double.Parse(c[3], CultureInfo.InvariantCulture), double.Parse(c[4], CultureInfo.InvariantCulture), double.Parse(c[5], CultureInfo.InvariantCulture),
                int.Parse(c[6], CultureInfo.InvariantCulture), double.Parse(c[7], CultureInfo.InvariantCulture));
        })];
    }

    private sealed record Row(DateTimeOffset Minute, int Signal, double Min, double Max, double Sum, int Count, double Last);
}
