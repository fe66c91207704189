using DomioOps.Models;
using DomioOps.ServiceDefaults;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Ingestion;

/// <summary>Checks the <c>Broker</c> section at start; every failure names the file, the key and the fix.</summary>
internal sealed class BrokerOptionsValidation(IConfiguration configuration) : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                var fullKey = $"{BrokerOptions.Section}:{key}";
                errors.Add($"{ConfigurationSources.Describe(configuration, fullKey)}: {fullKey}: {problem}");
            }
        }

        Check(System.Net.IPAddress.TryParse(options.Address, out _) || options.Mode == BrokerMode.External, "Address", "the embedded broker listens on an IP address, e.g. 127.0.0.1 or 0.0.0.0");
        Check(options.Mode == BrokerMode.Embedded || !string.IsNullOrWhiteSpace(options.Address), "Address", "set it to the external broker's host name");
        Check(options.Port is > 0 and < 65536, "Port", "must be a TCP port, 1-65535");
        Check(options.MaxPayloadBytes is >= 1024 and <= 256 * 1024 * 1024, "MaxPayloadBytes", "must be 1024-268435456");
        Check(options.TlsPort is null || File.Exists(options.CertificatePath), "CertificatePath", $"the TLS listener needs the server certificate: a PEM or PKCS#12 file ('{options.CertificatePath}' does not exist)");
        Check(options.CertificateKeyPath is null || File.Exists(options.CertificateKeyPath), "CertificateKeyPath", $"'{options.CertificateKeyPath}' does not exist: give the PEM private key of the certificate");
        Check(options.CaCertificatePath is null || File.Exists(options.CaCertificatePath), "CaCertificatePath", $"'{options.CaCertificatePath}' does not exist: give the PEM file of the CA that issued the broker's certificate");
        Check(options.MaxConnections is >= 1 and <= 1_000_000, "MaxConnections", "must be 1-1000000");
        Check(options.ConnectTimeout > TimeSpan.Zero && options.ConnectTimeout <= TimeSpan.FromMinutes(5), "ConnectTimeout", "must be a time span over 0 and at most 00:05:00, e.g. 00:00:10");
        Check(options.MaxQueuedMessagesPerClient is >= 10 and <= 1_000_000, "MaxQueuedMessagesPerClient", "must be 10-1000000");
        Check(options.ConfigurationKeyPath is null || File.Exists(options.ConfigurationKeyPath) || Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(options.ConfigurationKeyPath))),
            "ConfigurationKeyPath", $"the folder of '{options.ConfigurationKeyPath}' does not exist: create it, or give the path of the PEM key every silo shares");
        Check(options.ConfigurationKeyPath is null || !File.Exists(options.ConfigurationKeyPath) || IsSigningKey(options.ConfigurationKeyPath),
            "ConfigurationKeyPath", $"'{options.ConfigurationKeyPath}' is not an ECDSA P-256 private key in PEM: give the key file every silo shares, or move it away to have a new one made");
        Check(options.Password is null || options.UserName is not null, "UserName", "a password without a user name: set Broker:UserName too");
        for (var i = 0; i < options.Edges.Count; i++)
        {
            var edge = options.Edges[i];
            Check(EdgeTopics.IsValidId(edge.Site), $"Edges:{i}:Site", "set it to the edge's site id (1-64 of A-Z a-z 0-9 - _ .)");
            Check(EdgeTopics.IsValidId(edge.Id), $"Edges:{i}:Id", "set it to the edge's id (1-64 of A-Z a-z 0-9 - _ .)");
            Check(EdgeCredentials.IsHash(edge.PasswordHash), $"Edges:{i}:PasswordHash", "give the $7$ hash that 'dotnet DomioOps.Cloud.dll hash-password' prints for the edge's password (never the password itself)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsSigningKey(string path)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key.KeySize == 256;
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
