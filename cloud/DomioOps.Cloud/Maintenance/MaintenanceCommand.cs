using DomioOps.Cloud.Maintenance.Training;

namespace DomioOps.Cloud.Maintenance;

/// <summary>
/// <c>DomioOps.Cloud maintenance …</c>: the failure-prediction commands (training from history, evaluation, the model
/// registry), run like <c>migrate</c> with the cloud's configuration (<c>--Silo:ConnectionString=…</c>).
/// </summary>
public static class MaintenanceCommand
{
    /// <summary>The command's exit code; null when <paramref name="args"/> are not a maintenance command.</summary>
    public static async Task<int?> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not ["maintenance", ..])
        {
            return null;
        }

        return args.Length < 2 ? Usage() : args[1] switch
        {
            "import-history" => await ImportHistoryCommand.RunAsync(args[2..]),
            "train" => await TrainingCommands.TrainAsync(args[2..]),
            "evaluate" => await TrainingCommands.EvaluateAsync(args[2..]),
            "models" => await TrainingCommands.ModelsAsync(args[2..]),
            "activate" => await TrainingCommands.ActivateAsync(args[2..]),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: DomioOps.Cloud maintenance COMMAND … --Silo:ConnectionString=…
              import-history DIR                                   load a simulated history (simulators' history command)
              train --class C --from T --to T [--horizon 12h] [--output DIR]
              evaluate --class C --from T --to T [--model ID] [--output DIR]
              models                                               list the registered models
              activate ID                                          make a model its class's active one (roll back/forward)
            classes: cnc-router, panel-saw, edgebander
            """);
        return 2;
    }
}
