using System.Diagnostics;
using System.Globalization;
using System.Reflection;

using Npgsql;

namespace DomioOps.Cloud.Storage;

/// <summary>
/// Brings a PostgreSQL database up to the schema this build needs: creates the database when it
/// does not exist, then applies, in order, each embedded <c>Storage/Sql/NNNN-name.sql</c> script not
/// yet recorded in <c>domioops_schema_version</c>. The scripts run in one transaction with their
/// records, under a transaction-level advisory lock, so silos starting together apply them once and
/// a failed script leaves nothing behind.
/// </summary>
/// <remarks>
/// To change the schema, add the next <c>NNNN-name.sql</c> (numbers without gaps); never edit a script
/// that has shipped, since databases that ran it will not run it again. To replace an Orleans query,
/// upsert its <c>OrleansQuery</c> row in a new script (the providers read the rows when they start).
/// </remarks>
internal sealed partial class PostgresSchema
{
    /// <summary>Held while migrating; any bigint works as long as nothing else in the database uses it.</summary>
    private const long MigrationLockKey = 0x446F_6D69_6F4F_7073; // "DomioOps"

    private const string ResourcePrefix = "DomioOps.Cloud.Storage.Sql.";

    private const int CreateDatabaseAttempts = 10;

    private readonly string _connectionString;
    private readonly ILogger<PostgresSchema> _logger;

    public PostgresSchema(string connectionString, ILogger<PostgresSchema> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
        _logger = logger;
    }

    /// <summary>
    /// Whether the silos' own connection string migrates (no <c>Silo:MigrationConnectionString</c>): then the
    /// application's role owns the schema, the audit table included, and a warning says so when it migrates. Silos that
    /// find the schema current (migrated beforehand by <c>DomioOps.Cloud migrate</c>) need no owner credentials.
    /// </summary>
    public bool MigratesAsApplication { get; init; }

    /// <summary>The embedded migrations, ordered by version.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>The version the database has after <see cref="ApplyAsync"/>.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Creates the database if needed and applies the migrations it lacks. Idempotent.</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenCreatingDatabaseAsync(cancellationToken).ConfigureAwait(false);

        if (await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false) >= LatestVersion)
        {
            LogSchemaCurrent(connection.Database, LatestVersion);
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS domioops_schema_version
            (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken).ConfigureAwait(false);

        // Read again under the lock: another process may have finished the work while we waited.
        var current = await ReadVersionAsync(connection, cancellationToken, transaction).ConfigureAwait(false);
        var applied = 0;
        if (MigratesAsApplication && current < LatestVersion)
        {
            LogMigratingAsApplication(connection.UserName ?? "?");
        }

        foreach (var migration in Migrations.Where(m => m.Version > current))
        {
            LogApplyingMigration(connection.Database, migration.Version, migration.Name);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand(
                "INSERT INTO domioops_schema_version (version, name) VALUES (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            applied++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (applied > 0)
        {
            LogMigrated(connection.Database, applied, LatestVersion, stopwatch.ElapsedMilliseconds);
        }
        else
        {
            LogSchemaCurrent(connection.Database, LatestVersion);
        }
    }

    private async Task<NpgsqlConnection> OpenCreatingDatabaseAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await CreateDatabaseAsync(cancellationToken).ConfigureAwait(false);
        connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(_connectionString);
        var database = target.Database ?? throw new InvalidOperationException("The connection string names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "postgres", Pooling = false };

        LogCreatingDatabase(database, target.Host);
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // CREATE DATABASE takes no parameters: quote the name as an identifier.
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var command = new NpgsqlCommand("CREATE DATABASE " + quoted, connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            // Another silo created it first (the catalogue's unique index can also be what reports the race).
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                return;
            }
            // Another CREATE DATABASE is copying the template right now ("source database is being accessed by other users").
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < CreateDatabaseAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        if (transaction is null)
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass('domioops_schema_version') IS NOT NULL", connection);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return 0;
            }
        }

        await using var command = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM domioops_schema_version", connection, transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..^".sql".Length];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration '{resource}' is not named NNNN-name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name} at position {i + 1}.");
            }
        }

        return migrations;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating PostgreSQL database {Database} on {Host}")]
    private partial void LogCreatingDatabase(string database, string? host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying schema migration {Version} ({Name}) to database {Database}")]
    private partial void LogApplyingMigration(string database, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} schema migrations to database {Database}, now at version {Version}, in {ElapsedMs} ms")]
    private partial void LogMigrated(string database, int count, int version, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo:MigrationConnectionString is not set: the silo's own role {User} migrates and owns the schema, so it can rewrite the audit table. For production, migrate as a separate owner role and run silos as domio_app (see docker-compose.yml)")]
    private partial void LogMigratingAsApplication(string user);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Database {Database} schema is current at version {Version}")]
    private partial void LogSchemaCurrent(string database, int version);

    /// <summary>One embedded script: <c>NNNN-name.sql</c>.</summary>
    internal sealed record Migration(int Version, string Name, string Sql);
}
