extern alias simulators;

using System.Text.Json;

using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Prediction;
using DomioOps.Cloud.Maintenance.Training;

using Npgsql;

using HistoryCommand = simulators::DomioOps.Simulators.History.HistoryCommand;

namespace DomioOps.Cloud.Tests.Maintenance;

/// <summary>
/// The set-up the maintenance tests against the real host share: a month of one CNC router (cnc-01) whose spindle bearing
/// wears out every few days (simulated, seed 5) imported as <see cref="MaintenanceCloud"/>'s history, a CNC model trained
/// with few trees on the first three weeks and registered (active), and scoring rounds every 10 min from the onset of the
/// first wear failure after training until the scoring raises an alert on cnc-01.
/// </summary>
internal static class DegradingSpindle
{
    public const string Machine = "cnc-01";

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Horizon = TimeSpan.FromHours(12);

    /// <summary>Imports, trains and scores until the alert is raised; the alert is the first of cnc-01, raised before the failure.</summary>
    public static async Task<RaisedAlert> RaiseAsync(MaintenanceCloud cloud, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var folder = Directory.CreateTempSubdirectory("domioops-maintenance-history-");
        try
        {
            var history = Path.Combine(folder.FullName, "history");
            File.WriteAllText(Path.Combine(folder.FullName, "scenario.json"), Scenario);
            using (var output = new StringWriter())
            {
                Assert.Equal(0, HistoryCommand.Run(["--scenario", Path.Combine(folder.FullName, "scenario.json"), "--seed", "5", "--start", "2026-01-05T00:00:00Z",
                    "--duration", "30.00:00:00", "--output", history], output, output));
            }

            await using var dataSource = NpgsqlDataSource.Create(cloud.ConnectionString);
            await ImportHistoryCommand.ImportAsync(dataSource, history, ImportHistoryCommand.ReadManifest(history), _ => { }, ct);

            // Trained on the first three weeks.
            var trainedTo = Start.AddDays(21);
            var machines = await ClassHistory.ReadAsync(dataSource, MachineClass.CncRouter, Start.AddDays(1), trainedTo, Horizon, null, ct);
            var outcome = HistoryTraining.Train(MachineClass.CncRouter, machines, Start.AddDays(1), trainedTo, Horizon, new FailureClassifierOptions(Trees: 40), "e2e", null);
            var model = await cloud.Get<ModelRegistry>().RegisterAsync(MachineClass.CncRouter, outcome.Classifier, outcome.Policy, Start.AddDays(1), trainedTo, Horizon,
                outcome.Metrics.ToJsonString(), outcome.ReportHtml, ct);
            Assert.True(model.Active);

            // The first wear failure after training whose degradation began after it: scored every 10 min from its onset on.
            var (onset, failure) = Degradations(history).First(d => d.Onset >= trainedTo);
            var scoring = cloud.Get<AlertScoring>();
            var alerts = cloud.Get<MaintenanceAlerts>();
            MaintenanceAlert? alert = null;
            for (var at = onset; at < failure && alert is null; at += ClassHistory.Step)
            {
                Assert.Equal(1, await scoring.ScoreAsync(at, ct));
                alert = (await alerts.ListAsync(true, Machine, ct)).SingleOrDefault();
            }

            Assert.True(alert is not null, $"no alert on {Machine} between the onset {onset:u} and the failure {failure:u}");
            return new RaisedAlert(model, alert, failure);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The spindle-bearing degradations of the ground truth: onset and failure.</summary>
    private static IEnumerable<(DateTimeOffset Onset, DateTimeOffset Failure)> Degradations(string history)
    {
        DateTimeOffset? onset = null;
        foreach (var line in File.ReadLines(Path.Combine(history, HistoryCommand.GroundTruthFile)))
        {
            var e = JsonDocument.Parse(line).RootElement;
            if (e.GetProperty("machine").GetString() != Machine || e.GetProperty("kind").GetString() != "spindle-bearing")
            {
                continue;
            }

            switch (e.GetProperty("event").GetString())
            {
                case "onset":
                    onset = e.GetProperty("time").GetDateTimeOffset();
                    break;
                case "failure" when onset is { } began:
                    yield return (began, e.GetProperty("time").GetDateTimeOffset());
                    onset = null;
                    break;
            }
        }
    }

    private const string Scenario = """
        {
          "seed": 5,
          "shifts": [
            { "name": "day", "start": "06:00:00", "end": "22:00:00", "breaks": [ { "start": "12:00:00", "duration": "00:30:00" } ] },
            { "name": "night", "start": "22:00:00", "end": "06:00:00" }
          ],
          "machines": [
            { "id": "cnc-01", "kind": "cnc-router", "protocol": "opc-ua", "port": 4840, "ratedPower": 24,
              "failures": { "spindle-bearing": { "meanTimeToOnset": "2.00:00:00", "progression": "12:00:00", "repair": "04:00:00" } } }
          ]
        }
        """;
}

/// <summary>The active model, the alert it raised on the degrading spindle, and when that spindle fails in the ground truth.</summary>
internal sealed record RaisedAlert(RegisteredModel Model, MaintenanceAlert Alert, DateTimeOffset Failure);
