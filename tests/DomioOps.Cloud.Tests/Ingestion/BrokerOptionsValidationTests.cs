using DomioOps.Cloud.Ingestion;

using Microsoft.Extensions.Configuration;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>A configuration key file that cannot sign is a start error naming the key and the fix, not a failure at the first configuration.</summary>
public sealed class BrokerOptionsValidationTests
{
    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n")]
    public void Validate_ConfigurationKeyFileNotAP256PrivateKey_FailsNamingTheKeyAndTheFix(string content)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, content);

            var result = new BrokerOptionsValidation(new ConfigurationBuilder().Build()).Validate(null, new BrokerOptions { ConfigurationKeyPath = file });

            var failure = Assert.Single(result.Failures!);
            Assert.Contains($"Broker:ConfigurationKeyPath: '{file}' is not an ECDSA P-256 private key in PEM: give the key file every silo shares", failure, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Validate_ConfigurationKeyMadeByTheCloud_Passes()
    {
        var folder = Directory.CreateTempSubdirectory("domioops-key-").FullName;
        try
        {
            var path = Path.Combine(folder, "edge-configuration.pem");
            using (EdgeConfigurationKey.Load(path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
            {
            }

            var result = new BrokerOptionsValidation(new ConfigurationBuilder().Build()).Validate(null, new BrokerOptions { ConfigurationKeyPath = path });

            Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
