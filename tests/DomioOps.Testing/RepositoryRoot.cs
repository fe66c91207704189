namespace DomioOps.Testing;

/// <summary>The folder that holds <c>DomioOps.sln</c>, found by walking up from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DomioOps.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No DomioOps.sln above {AppContext.BaseDirectory}.");
    }
}
