using System.Security.Cryptography;
using System.Text;

using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Security;

/// <summary>
/// Badge numbers are few and guessable, so a plain hash of one is as good as the number to whoever reads the database:
/// they are stored as HMAC-SHA256 under a 32-byte key kept in a file outside the database
/// (<see cref="SecurityOptions.BadgeKeyFile"/>), created with mode 600 when missing. At start the key's check value is
/// compared with the one the cluster recorded, so a silo given another key file refuses to start.
/// </summary>
internal sealed partial class BadgeKey(IOptions<SecurityOptions> options, IOptions<SiloOptions> silo, ILogger<BadgeKey> logger) : IHostedService
{
    private const int KeyBytes = 32;
    private const string CheckName = "badge-key";

    private byte[]? _key;

    /// <summary>The key file used when <see cref="SecurityOptions.BadgeKeyFile"/> is unset.</summary>
    internal static string DefaultPath()
    {
        var folder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return string.IsNullOrEmpty(folder)
            ? throw new InvalidOperationException("Security:BadgeKeyFile is not set and this account has no local application data folder: set it to a file path.")
            : Path.Combine(folder, "DomioOps", "badge.key");
    }

    public byte[] Hash(string badge) =>
        HMACSHA256.HashData(_key ?? throw new InvalidOperationException("The badge key is read at start."), Encoding.UTF8.GetBytes(badge));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.BadgeKeyFile ?? DefaultPath();
        _key = await LoadOrCreateAsync(path, cancellationToken);
        var check = HMACSHA256.HashData(_key, "DomioOps badge key check"u8);

        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO domio_key_checks (name, check_value) VALUES (@name, @check) ON CONFLICT (name) DO NOTHING;
            SELECT check_value FROM domio_key_checks WHERE name = @name
            """, connection);
        command.Parameters.AddWithValue("name", CheckName);
        command.Parameters.AddWithValue("check", check);
        var recorded = (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
        if (!CryptographicOperations.FixedTimeEquals(recorded, check))
        {
            throw new InvalidOperationException(
                $"Security:BadgeKeyFile: the key in '{path}' is not the one this cluster's badges were hashed with; give every silo the same key file.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<byte[]> LoadOrCreateAsync(string path, CancellationToken cancellationToken)
    {
        // Silos starting together agree on one key: the first file in place wins.
        if (SecretFile.TryCreate(path, RandomNumberGenerator.GetBytes(KeyBytes)))
        {
            LogCreated(path);
        }

        var key = await File.ReadAllBytesAsync(path, cancellationToken);
        return key.Length == KeyBytes
            ? key
            : throw new InvalidOperationException($"Security:BadgeKeyFile: '{path}' holds {key.Length} bytes, not a {KeyBytes}-byte key; restore the cluster's key file.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the badge key file {Path}: keep it, and give every silo of the cluster the same file")]
    private partial void LogCreated(string path);
}
