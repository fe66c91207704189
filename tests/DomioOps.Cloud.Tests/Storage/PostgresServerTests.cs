using DomioOps.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Storage;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task StartAsync_CreateDatabase_AcceptsQueriesAndStopsOnDispose()
    {
        var ct = TestContext.Current.CancellationToken;
        string directory;
        int port;
        await using (var server = await PostgresServer.StartAsync(ct))
        {
            directory = server.DataDirectory;
            port = server.Port;
            var connectionString = await server.CreateDatabaseAsync("fixture_smoke", ct);

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal("fixture_smoke", await command.ExecuteScalarAsync(ct));
        }

        Assert.False(Directory.Exists(directory));
        await using var closed = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=3;Pooling=false");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => closed.OpenAsync(ct));
    }
}
