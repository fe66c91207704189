namespace DomioOps.Cloud.Storage;

/// <summary>
/// <c>DomioOps.Cloud migrate</c>: brings the database up to this build's schema as the owner role
/// (<c>Silo:MigrationConnectionString</c>, else <c>Silo:ConnectionString</c>) and exits, so that silos need only the
/// application role's credentials (docker-compose.yml runs it once before the silos).
/// </summary>
internal static class MigrateCommand
{
    /// <summary>Exit code 0 when the schema is current; null when <paramref name="args"/> are not this command.</summary>
    public static async Task<int?> RunAsync(string[] args)
    {
        if (args is not ["migrate", ..])
        {
            return null;
        }

        var builder = Host.CreateApplicationBuilder(args[1..]);
        using var host = builder.Build();
        var silo = builder.Configuration.GetSection(Cluster.SiloOptions.Section).Get<Cluster.SiloOptions>() ?? new Cluster.SiloOptions();
        if (string.IsNullOrWhiteSpace(silo.MigrationConnectionString) && string.IsNullOrWhiteSpace(silo.ConnectionString))
        {
            Console.Error.WriteLine("migrate: Silo:MigrationConnectionString (or Silo:ConnectionString) is required: the Npgsql connection string of the role that owns the schema.");
            return 1;
        }

        var shared = string.IsNullOrWhiteSpace(silo.MigrationConnectionString);
        var schema = new PostgresSchema(shared ? silo.ConnectionString : silo.MigrationConnectionString!, host.Services.GetRequiredService<ILogger<PostgresSchema>>())
        {
            MigratesAsApplication = shared,
        };
        await schema.ApplyAsync(CancellationToken.None);
        Console.WriteLine($"migrate: schema at version {PostgresSchema.LatestVersion}");
        return 0;
    }
}
