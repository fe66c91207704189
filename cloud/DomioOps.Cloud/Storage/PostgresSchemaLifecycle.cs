namespace DomioOps.Cloud.Storage;

/// <summary>
/// Applies <see cref="PostgresSchema"/> at the very first silo lifecycle stage, before the membership,
/// storage and reminder providers read their queries from the database.
/// </summary>
internal sealed class PostgresSchemaLifecycle(PostgresSchema schema) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(PostgresSchemaLifecycle), ServiceLifecycleStage.First, schema.ApplyAsync);
    }
}
