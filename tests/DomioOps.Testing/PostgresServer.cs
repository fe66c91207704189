using System.Diagnostics;
using System.Globalization;

using Npgsql;

namespace DomioOps.Testing;

/// <summary>
/// A private, throw-away PostgreSQL cluster on 127.0.0.1, started with the repository's
/// <c>scripts/postgres.sh</c> in a fresh temporary folder and deleted on dispose.
/// Each test class creates its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    private readonly string _script;
    private int _disposed;

    private PostgresServer(string script, string directory, int port)
    {
        _script = script;
        DataDirectory = directory;
        Port = port;
    }

    /// <summary>The TCP port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The folder that holds the cluster's data, log and socket.</summary>
    public string DataDirectory { get; }

    /// <summary>Creates a cluster in a new temporary folder and starts it.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepositoryRoot.Find(), "scripts", "postgres.sh");
        var directory = Directory.CreateTempSubdirectory("domioops-pg-");
        try
        {
            // As root the cluster runs as the 'postgres' user, which must be able to reach the folder.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory.FullName,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            var output = await RunScriptAsync(script, cancellationToken, "start", directory.FullName).ConfigureAwait(false);
            var lastLine = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            var port = int.Parse(lastLine, NumberStyles.None, CultureInfo.InvariantCulture);
            return new PostgresServer(script, directory.FullName, port);
        }
        catch
        {
            try
            {
                await RunScriptAsync(script, CancellationToken.None, "stop", directory.FullName).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Nothing was started; the original failure is the one worth reporting.
            }

            directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser 'postgres'.</summary>
    public string ConnectionString(string database = "postgres")
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            // Keep several pools (silos, tests) well below the server's max_connections (300).
            MaxPoolSize = 30,
            Timeout = 15,
        };
        return builder.ConnectionString;
    }

    /// <summary>A connection string for <paramref name="database"/> as <paramref name="role"/> (the cluster trusts loopback: no password).</summary>
    public string ConnectionString(string database, string role) =>
        new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Username = role }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) => CreateDatabaseAsync(name, null, cancellationToken);

    /// <summary>Creates an empty database owned by <paramref name="owner"/> (the superuser when null) and returns its superuser connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, string? owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // CREATE DATABASE takes no parameters; quote the identifier instead.
        await ExecuteAsync("CREATE DATABASE " + Quote(name) + (owner is null ? "" : " OWNER " + Quote(owner)), cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>
    /// Creates a role, as the superuser: a login role unless <paramref name="login"/> is false, a member of
    /// <paramref name="memberOf"/> when given. Roles belong to the whole server, so each test picks its own names.
    /// </summary>
    public async Task CreateRoleAsync(string name, bool login = true, string? memberOf = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await ExecuteAsync("CREATE ROLE " + Quote(name) + (login ? " LOGIN" : " NOLOGIN") + (memberOf is null ? "" : " IN ROLE " + Quote(memberOf)),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Stops the server (fast shutdown: open connections are cut), keeping its data, to test an outage.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        await RunScriptAsync(_script, cancellationToken, "stop", DataDirectory).ConfigureAwait(false);

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port with the same data.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        await RunScriptAsync(_script, cancellationToken, "start", DataDirectory, Port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);

    /// <summary>Stops the cluster and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunScriptAsync(_script, CancellationToken.None, "stop", DataDirectory).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static async Task<string> RunScriptAsync(string script, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PG_FSYNC"] = "off";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"postgres.sh {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors.Trim()}");
        }

        return output;
    }
}
