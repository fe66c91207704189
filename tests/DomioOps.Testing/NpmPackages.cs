namespace DomioOps.Testing;

/// <summary>The npm packages of a fixture folder (committed package.json and package-lock.json).</summary>
public static class NpmPackages
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> unless its node_modules already exists.</summary>
    public static async Task EnsureInstalledAsync(string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(folder, "package-lock.json")))
        {
            throw new FileNotFoundException($"No package-lock.json in npm fixture folder {folder}.");
        }

        await InstallLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules")))
            {
                await PeerProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
