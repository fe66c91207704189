using DomioOps.Cloud.Storage;
using DomioOps.Testing;

using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>A private PostgreSQL with one database already migrated by <see cref="PostgresSchema"/>.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _server = await PostgresServer.StartAsync(ct);
        ConnectionString = await MigrateAsync("orleans", ct);
    }

    /// <summary>Creates and migrates another database on the same server.</summary>
    public async Task<string> MigrateAsync(string database, CancellationToken ct)
    {
        var connectionString = Server.ConnectionString(database);
        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
