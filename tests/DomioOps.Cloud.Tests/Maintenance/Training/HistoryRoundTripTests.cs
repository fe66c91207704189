extern alias simulators;

using System.Text.Json;

using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Prediction;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Npgsql;

using HistoryCommand = simulators::DomioOps.Simulators.History.HistoryCommand;

namespace DomioOps.Cloud.Tests.Maintenance.Training;

/// <summary>
/// Two simulated weeks of the factory (scenarios/factory.json) through the simulators' history command, the panel saw's
/// rollups imported into PostgreSQL and trained on: the failures the training finds in the rollups are the ground
/// truth's, and the model lands in the registry with its report.
/// </summary>
public sealed class HistoryRoundTripTests(MigratedDatabase postgres) : IClassFixture<MigratedDatabase>, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Duration = TimeSpan.FromDays(14);
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(8);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("domioops-roundtrip-");

    [Fact]
    public async Task HistoryImportTrain_TwoWeeksOfThePanelSaw_FailuresOfTheGroundTruthAndARegisteredModel()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = Path.Combine(RepositoryRoot.Find(), "simulators", "DomioOps.Simulators", "scenarios", "factory.json");
        using var output = new StringWriter();
        Assert.Equal(0, HistoryCommand.Run(["--scenario", scenario, "--seed", "3", "--start", "2026-01-05T00:00:00Z", "--duration", "14.00:00:00", "--output", _folder.FullName], output, output));
        await using var dataSource = NpgsqlDataSource.Create(await postgres.MigrateAsync("history_roundtrip", ct));

        var manifest = ImportHistoryCommand.ReadManifest(_folder.FullName);
        Assert.Equal(["cnc-01", "saw-01", "eb-01"], manifest.Machines.Select(m => m.Id));
        var imported = await ImportHistoryCommand.ImportAsync(dataSource, _folder.FullName, manifest with { Machines = [.. manifest.Machines.Where(m => m.Id == "saw-01")] }, _ => { }, ct);
        var from = Start.AddDays(1);
        var to = Start + Duration;
        var machines = await ClassHistory.ReadAsync(dataSource, MachineClass.PanelSaw, from, to, Horizon, null, ct);
        var outcome = HistoryTraining.Train(MachineClass.PanelSaw, machines, from, to, Horizon, new FailureClassifierOptions(Trees: 30), "test", null);
        var registry = new ModelRegistry(dataSource, TimeProvider.System);
        var model = await registry.RegisterAsync(MachineClass.PanelSaw, outcome.Classifier, outcome.Policy, from, to, Horizon, outcome.Metrics.ToJsonString(), outcome.ReportHtml, ct);

        // Every line of the saw's file, the header aside, is a row.
        var lines = File.ReadLines(Path.Combine(_folder.FullName, "rollups-saw-01.csv")).LongCount() - 1;
        Assert.Equal(lines, imported);
        // The wear failures found in the alarm rollups are the ground truth's blade-dulling failures, to the minute of the sample that saw them.
        var truth = GroundTruthFailures("saw-01", "blade-dulling").Where(f => f >= from && f < to).ToList();
        Assert.NotEmpty(truth);
        Assert.Equal(truth, machines.Single(m => m.Machine == "saw-01").WearFailures);
        var cut = from + ((to - from) * HistoryTraining.TrainingShare);
        Assert.Equal(truth.Count(f => f >= MinuteSeriesTruncate(cut)), outcome.Alerts.WearFailures);
        Assert.Equal(["saw-01"], machines.Select(m => m.Machine));
        Assert.True(model.Active);
        Assert.Contains("<svg", await registry.ReportAsync(model.Id, ct), StringComparison.Ordinal);

        // A repair closed in a work order and the verdicts on two alerts are read with the history.
        var repaired = Start.AddDays(3).AddMinutes(30).AddSeconds(20);
        await using (var insert = dataSource.CreateBatch())
        {
            insert.BatchCommands.Add(new("""INSERT INTO maintenance_repairs ("MachineId", "RepairedAt") VALUES ('saw-01', $1)""") { Parameters = { new() { Value = repaired } } });
            insert.BatchCommands.Add(new("""
                INSERT INTO maintenance_alerts ("MachineId", "MachineClass", "Severity", "Status", "Probability", "PeakProbability", "LastProbability",
                    "HorizonMinutes", "Reasons", "RaisedAt", "ScoredAt", "ResolvedAt", "ResolvedBy", "Verdict")
                VALUES ('saw-01', 'panel-saw', 1, 2, 0.9, 0.9, 0.9, 480, '[]', $2, $2, $1, 'engineer', 2),
                       ('saw-01', 'panel-saw', 1, 2, 0.8, 0.8, 0.8, 480, '[]', $3, $3, $4, 'engineer', 1)
                """)
            {
                Parameters =
                {
                    new() { Value = repaired }, new() { Value = repaired.AddHours(-5) },
                    new() { Value = Start.AddDays(5) }, new() { Value = Start.AddDays(5).AddHours(2) },
                },
            });
            await insert.ExecuteNonQueryAsync(ct);
        }

        var history = await MachineHistory.ReadAsync(dataSource, "saw-01", MachineClass.PanelSaw, Start.AddDays(3), Start.AddDays(6), ct);
        Assert.Equal([30], history.Repairs);
        Assert.Equal([new VerdictSpan(-270, 30, AlertVerdict.Prevented), new VerdictSpan(2 * 1440, (2 * 1440) + 120, AlertVerdict.FalseAlarm)], history.Verdicts);
        Assert.Contains(30, history.Failures());
        // Read from 10 minutes after the repair, the operating minutes before count from it: the minutes 31–39 the saw was on.
        Assert.DoesNotContain(history.FailureStarts(), m => m is >= 30 and < 40);
        var on = Enumerable.Range(31, 9).Count(m => history.Series.Has(Signal.MachineState, m) && history.Series.Max(Signal.MachineState, m) >= 1);
        Assert.True(on > 0, "the saw was off after the repair; choose another time");
        var after = await MachineHistory.ReadAsync(dataSource, "saw-01", MachineClass.PanelSaw, Start.AddDays(3).AddMinutes(40), Start.AddDays(4), ct);
        Assert.Equal(on, after.OperatingMinutesBefore);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static DateTimeOffset MinuteSeriesTruncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    /// <summary>The minutes whose rollups first show each failure: the next 10 s sample after the event.</summary>
    private IEnumerable<DateTimeOffset> GroundTruthFailures(string machine, string kind)
    {
        var tick = TimeSpan.FromSeconds(10).Ticks;
        foreach (var line in File.ReadLines(Path.Combine(_folder.FullName, "ground-truth.jsonl")))
        {
            var e = JsonDocument.Parse(line).RootElement;
            if (e.GetProperty("machine").GetString() == machine && e.GetProperty("kind").GetString() == kind && e.GetProperty("event").GetString() == "failure")
            {
                var sampled = (e.GetProperty("time").GetDateTimeOffset().UtcTicks + tick - 1) / tick * tick;
                yield return new DateTimeOffset(sampled - (sampled % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            }
        }
    }
}
