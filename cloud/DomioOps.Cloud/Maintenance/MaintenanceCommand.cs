using DomioOps.Cloud.Maintenance.Ai4i;

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
