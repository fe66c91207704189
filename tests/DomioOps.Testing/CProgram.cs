namespace DomioOps.Testing;

/// <summary>A C peer compiled with gcc into a temporary folder at test set-up.</summary>
public static class CProgram
{
    /// <summary>Compiles <paramref name="sourcePath"/> and returns the executable's path; throws with gcc's output on failure.</summary>
    public static async Task<string> CompileAsync(string sourcePath, string outputDirectory, IEnumerable<string> linkerArguments, CancellationToken cancellationToken)
    {
        if (!File.Exists(sourcePath))
        {
            throw new FileNotFoundException($"C peer source not found: {sourcePath}", sourcePath);
        }

        Directory.CreateDirectory(outputDirectory);
        var executable = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(sourcePath));
        await PeerProcess.RunAsync(
            "gcc",
            ["-O2", "-Wall", "-o", executable, sourcePath, .. linkerArguments],
            outputDirectory,
            TimeSpan.FromSeconds(60),
            cancellationToken).ConfigureAwait(false);
        return executable;
    }
}
