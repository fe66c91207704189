using System.Security.Cryptography;

using DomioOps.Models;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The cloud's key for signing edge configurations (<see cref="EdgeConfigurationSignature"/>): an ECDSA P-256 private
/// key in a PEM file outside the database (<see cref="BrokerOptions.ConfigurationKeyPath"/>), made on first use when the
/// file does not exist, readable by this service only. Every silo of a cluster is given the same file. Edges pin its
/// public key (<see cref="PublicKeyPem"/>), shown when an edge is registered.
/// </summary>
internal sealed partial class EdgeConfigurationKey(IOptions<BrokerOptions> options, ILogger<EdgeConfigurationKey> logger) : IDisposable
{
    private readonly Lazy<ECDsa?> _key = new(() => Load(options.Value.ConfigurationKeyPath, logger));

    /// <summary>False when no key file is configured: configurations cannot be sent to edges.</summary>
    public bool IsConfigured => options.Value.ConfigurationKeyPath is not null;

    /// <summary>The public key edges pin (SubjectPublicKeyInfo PEM); null when none is configured.</summary>
    public string? PublicKeyPem => _key.Value?.ExportSubjectPublicKeyInfoPem();

    public byte[] Sign(string site, string edge, ulong version, string devicesJson) =>
        EdgeConfigurationSignature.Sign(
            _key.Value ?? throw new InvalidOperationException($"{BrokerOptions.Section}:{nameof(BrokerOptions.ConfigurationKeyPath)} is not set: configurations cannot be signed"),
            site,
            edge,
            version,
            devicesJson);

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value?.Dispose();
        }
    }

    /// <summary>Reads the key, or makes one first (mode 600, <see cref="Security.SecretFile"/>).</summary>
    internal static ECDsa? Load(string? path, ILogger logger)
    {
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            // Silos starting together agree on one key: the first file in place wins, and everyone reads it.
            using var made = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            if (Security.SecretFile.TryCreate(path, System.Text.Encoding.ASCII.GetBytes(made.ExportPkcs8PrivateKeyPem())))
            {
                LogCreated(logger, path);
            }
        }

        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException($"{path}: the edge configuration key must be ECDSA P-256, not {key.KeySize} bits");
        }

        return key;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Made a new edge configuration key in {Path}; give every silo this file, and every edge its public key (GET /api/edges/configuration-key)")]
    private static partial void LogCreated(ILogger logger, string path);
}
