using DomioOps.Cloud.Maintenance.Ai4i;
using DomioOps.Cloud.Maintenance.Training;

namespace DomioOps.Cloud.Maintenance;

/// <summary>
/// <c>DomioOps.Cloud maintenance …</c>: the model commands, run from the command line and exiting (Program.cs calls
/// <see cref="RunAsync(string[])"/> before building the host).
/// </summary>
internal static class MaintenanceCommand
{
    private const string Usage =
        """
        usage:
          maintenance ai4i-train --data CSV --model ZIP [--report HTML] [--folds 5] [--seed N] [--trees N]
          maintenance ai4i-score --model ZIP --data CSV [--report HTML]
          maintenance import-history DIR --Silo:ConnectionString=…   (DIR: the simulators' history command's output)
          maintenance train --class cnc-router|panel-saw|edgebander --from T --to T [--horizon 12h] [--output DIR] --Silo:ConnectionString=…
          maintenance evaluate --class C --from T --to T [--model ID] [--output DIR] --Silo:ConnectionString=…
          maintenance models --Silo:ConnectionString=…
          maintenance activate MODEL-ID --Silo:ConnectionString=…     (roll back or forward: one transaction)
        """;

    /// <summary>The exit code; null when <paramref name="args"/> are not a maintenance command.</summary>
    public static Task<int?> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    internal static async Task<int?> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["maintenance", ..])
        {
            return null;
        }

        try
        {
            return args switch
            {
                [_, "ai4i-train", .. var rest] => await Ai4iCommands.TrainAsync(CommandOptions.Parse(rest), output),
                [_, "ai4i-score", .. var rest] => await Ai4iCommands.ScoreAsync(CommandOptions.Parse(rest), output),
                [_, "import-history", .. var rest] => await ImportHistoryCommand.RunAsync(rest),
                [_, "train", .. var rest] => await TrainingCommands.TrainAsync(rest),
                [_, "evaluate", .. var rest] => await TrainingCommands.EvaluateAsync(rest),
                [_, "models", .. var rest] => await TrainingCommands.ModelsAsync(rest),
                [_, "activate", .. var rest] => await TrainingCommands.ActivateAsync(rest),
                _ => Fail(error, args.Length > 1 ? $"maintenance: unknown command '{args[1]}'." : "maintenance: which command?"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Fail(error, $"maintenance {args.ElementAtOrDefault(1)}: {e.Message}");
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        error.WriteLine(Usage);
        return 2;
    }
}
