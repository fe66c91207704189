using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.Maintenance.Ai4i;

/// <summary>
/// The AI4I 2020 training file: $DOMIO_AI4I_DATA, else shared/data/ai4i2020/ai4i2020-train.csv in a folder above the
/// repository (the workspace keeps data sets beside the clones). Tests that need it skip, saying where they looked.
/// </summary>
internal static class Ai4iData
{
    private const string Relative = "shared/data/ai4i2020/ai4i2020-train.csv";

    public static string TrainingFile()
    {
        if (Environment.GetEnvironmentVariable("DOMIO_AI4I_DATA") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (DirectoryInfo? folder = new(RepositoryRoot.Find()); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, Relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Skip($"The AI4I 2020 data set is not here: set DOMIO_AI4I_DATA or put it at {Relative} above {RepositoryRoot.Find()}.");
        return "";
    }
}
