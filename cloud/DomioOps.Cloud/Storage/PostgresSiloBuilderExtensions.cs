using Microsoft.Extensions.Options;

using Orleans.Configuration;
using Orleans.Serialization;

namespace DomioOps.Cloud.Storage;

/// <summary>Orleans on PostgreSQL: the one place that wires clustering, grain state and reminders to it.</summary>
internal static class PostgresSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant the Orleans providers map to Npgsql.</summary>
    internal const string Invariant = "Npgsql";

    /// <summary>
    /// Uses the PostgreSQL database in <paramref name="connectionString"/> for cluster membership,
    /// grain state (the default storage, which is also the one named "Default") and reminders, and
    /// brings its schema up to date (creating the database if needed) before anything else in the
    /// silo starts, as <see cref="Cluster.SiloOptions.MigrationConnectionString"/>'s role when one is configured.
    /// </summary>
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        silo.Services.AddSingleton(services =>
        {
            var migration = services.GetService<IOptions<Cluster.SiloOptions>>()?.Value.MigrationConnectionString;
            var shared = string.IsNullOrWhiteSpace(migration);
            return new PostgresSchema(shared ? connectionString : migration!, services.GetRequiredService<ILogger<PostgresSchema>>()) { MigratesAsApplication = shared };
        });
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PostgresSchemaLifecycle>();

        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });

        // The default storage is registered under the name "Default" (ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME),
        // so [PersistentState("x")] and [PersistentState("x", "Default")] reach the same provider.
        silo.AddAdoNetGrainStorageAsDefault(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });

        // Grain state is stored as JSON naming its CLR type; renamed state classes keep their stored names. This runs after
        // Orleans' own post-configuration, which sets the binder wrapped here.
        silo.Services.PostConfigure<OrleansJsonSerializerOptions>(options =>
            options.JsonSerializerSettings.SerializationBinder = new StoredTypeNames(
                options.JsonSerializerSettings.SerializationBinder
                ?? throw new InvalidOperationException("Orleans set no JSON serialization binder before the stored type names.")));

        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });

        return silo;
    }
}
