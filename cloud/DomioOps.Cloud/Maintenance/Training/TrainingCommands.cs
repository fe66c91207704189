using System.Globalization;

using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// <c>maintenance train --class C --from T --to T [--horizon 12h] [--output DIR]</c>: trains the class's model from the
/// history in PostgreSQL, chooses its alert policy, evaluates it, writes the model and its HTML report to DIR and
/// registers it (the class's first model becomes active). <c>maintenance evaluate --class C --from T --to T [--model ID]
/// [--output DIR]</c> judges a registered model (the active one by default) on other history. <c>maintenance models</c>
/// lists the registry; <c>maintenance activate ID</c> makes a model its class's active one (roll back or forward).
/// </summary>
internal static class TrainingCommands
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> TrainAsync(string[] args)
    {
        const string Command = "maintenance train";
        var line = TrainingCommandLine.Parse(args, "--class", "--from", "--to", "--horizon", "--output");
        if (line.Class(Command) is not { } machineClass || line.Time(Command, "--from") is not { } from || line.Time(Command, "--to") is not { } to
            || Horizon(line, Command) is not { } horizon || line.DataSource(Command) is not { } dataSource)
        {
            return 2;
        }

        await using (dataSource)
        {
            var progress = new Progress(Command);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var machines = await ClassHistory.ReadAsync(dataSource, machineClass, from, to, horizon, progress, CancellationToken.None);
            if (machines.Count == 0)
            {
                Console.Error.WriteLine($"{Command}: no {MachineClasses.Name(machineClass)} reported {MachineClasses.Marker(machineClass)} in {from:u} – {to:u}: nothing to train on.");
                return 1;
            }

            var generated = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            TrainingOutcome outcome;
            try
            {
                outcome = HistoryTraining.Train(machineClass, machines, from, to, horizon, new FailureClassifierOptions(), generated, progress);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{Command}: {e.Message}");
                return 1;
            }

            var registry = new ModelRegistry(dataSource, TimeProvider.System);
            var model = await registry.RegisterAsync(machineClass, outcome.Classifier, outcome.Policy, from, to, horizon,
                outcome.Metrics.ToJsonString(), outcome.ReportHtml, CancellationToken.None);
            Write(line["--output"], $"{MachineClasses.Name(machineClass)}-v{model.Version}", outcome, true);
            Summary(Command, outcome);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Command}: registered model {model.Id} ({MachineClasses.Name(machineClass)} version {model.Version}{(model.Active ? ", active" : $"; activate with: maintenance activate {model.Id}")}) in {stopwatch.Elapsed.TotalSeconds:F0} s"));
            return 0;
        }
    }

    public static async Task<int> EvaluateAsync(string[] args)
    {
        const string Command = "maintenance evaluate";
        var line = TrainingCommandLine.Parse(args, "--class", "--from", "--to", "--model", "--output");
        if (line.Class(Command) is not { } machineClass || line.Time(Command, "--from") is not { } from || line.Time(Command, "--to") is not { } to
            || line.DataSource(Command) is not { } dataSource)
        {
            return 2;
        }

        await using (dataSource)
        {
            var registry = new ModelRegistry(dataSource, TimeProvider.System);
            var found = line["--model"] is { } id
                ? await registry.ModelAsync(long.Parse(id, CultureInfo.InvariantCulture), CancellationToken.None)
                : await registry.ActiveAsync(machineClass, CancellationToken.None);
            if (found is not { } registered || registered.Model.MachineClass != machineClass)
            {
                Console.Error.WriteLine($"{Command}: no {(line["--model"] is { } m ? $"model {m} of" : "active model for")} {MachineClasses.Name(machineClass)}: train one (maintenance train) or see maintenance models.");
                return 1;
            }

            var progress = new Progress(Command);
            var machines = await ClassHistory.ReadAsync(dataSource, machineClass, from, to, registered.Model.Horizon, progress, CancellationToken.None);
            var generated = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            var outcome = HistoryTraining.Evaluate(machineClass, registered.Classifier, registered.Model.Policy, machines, from, to, registered.Model.Horizon, generated);
            Write(line["--output"], $"{MachineClasses.Name(machineClass)}-v{registered.Model.Version}-evaluation", outcome, false);
            Summary(Command, outcome);
            return 0;
        }
    }

    public static async Task<int> ModelsAsync(string[] args)
    {
        var line = TrainingCommandLine.Parse(args);
        if (line.DataSource("maintenance models") is not { } dataSource)
        {
            return 2;
        }

        await using (dataSource)
        {
            foreach (var m in await new ModelRegistry(dataSource, TimeProvider.System).ListAsync(CancellationToken.None))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m.Id,5} {MachineClasses.Name(m.MachineClass),-11} v{m.Version,-3} {(m.Active ? "active" : "      ")} trained {m.TrainedAt:yyyy-MM-dd HH:mm} on {m.DataFrom:yyyy-MM-dd} – {m.DataTo:yyyy-MM-dd}, horizon {m.Horizon.TotalHours:0.#} h {m.MetricsJson}"));
            }

            return 0;
        }
    }

    public static async Task<int> ActivateAsync(string[] args)
    {
        var line = TrainingCommandLine.Parse(args);
        if (line.Positional is not [var text] || !long.TryParse(text, CultureInfo.InvariantCulture, out var id))
        {
            Console.Error.WriteLine("usage: maintenance activate MODEL-ID (see maintenance models)");
            return 2;
        }

        if (line.DataSource("maintenance activate") is not { } dataSource)
        {
            return 2;
        }

        await using (dataSource)
        {
            try
            {
                await new ModelRegistry(dataSource, TimeProvider.System).ActivateAsync(id, CancellationToken.None);
                Console.WriteLine($"maintenance activate: model {id} is active");
                return 0;
            }
            catch (KeyNotFoundException e)
            {
                Console.Error.WriteLine($"maintenance activate: {e.Message}");
                return 1;
            }
        }
    }

    private static TimeSpan? Horizon(TrainingCommandLine line, string command)
    {
        if (line["--horizon"] is not { } text)
        {
            return TimeSpan.FromHours(12);
        }

        if (TrainingCommandLine.TryDuration(text, out var horizon))
        {
            return horizon;
        }

        Console.Error.WriteLine($"{command}: --horizon needs a duration such as 12h, 90m or 1d.");
        return null;
    }

    private static void Write(string? directory, string name, TrainingOutcome outcome, bool model)
    {
        if (directory is null)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        if (model)
        {
            using var file = File.Create(Path.Combine(directory, $"model-{name}.bin"));
            outcome.Classifier.Save(file);
        }

        File.WriteAllText(Path.Combine(directory, $"report-{name}.html"), outcome.ReportHtml);
        File.WriteAllText(Path.Combine(directory, $"metrics-{name}.json"), outcome.Metrics.ToJsonString(Indented));
        Console.WriteLine($"written: {Path.Combine(directory, $"report-{name}.html")}");
    }

    private static void Summary(string command, TrainingOutcome o)
    {
        var a = o.Alerts;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{command}: instants at p ≥ {o.Evaluation.Threshold:F2}: precision {o.Evaluation.Precision:F3}, recall {o.Evaluation.Recall:F3}, PR-AUC {o.Evaluation.PrAuc:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{command}: wear failures alerted ≥ 2 h ahead {a.AlertedInTime}/{a.WearFailures} ({a.InTimeShare:P1}), alert precision {a.TrueAlerts}/{a.Alerts} ({a.Precision:F3}), median lead {PolicySearch.Median(a.LeadHours):F1} h; sudden failures {a.SuddenFailures} ({a.SuddenAlerted} under an open alert)"));
    }

    /// <summary>Progress lines on standard output, prefixed with the command.</summary>
    private sealed class Progress(string command) : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine($"{command}: {value}");
    }
}
