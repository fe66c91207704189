using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>The data-protection keys in PostgreSQL are encrypted with a certificate kept outside the database.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class KeyRingTests(SecureCloud cloud)
{
    [Fact]
    public async Task KeyRing_RowsInTheDatabase_HoldNoKeyInClear()
    {
        var ct = TestContext.Current.CancellationToken;
        using (await cloud.AdminAsync(ct))
        {
            // A signed-in session means the ring holds a key.
        }

        var rows = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(cloud.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new Npgsql.NpgsqlCommand("""SELECT "Xml" FROM "DataProtectionKeys" """, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(rows);
        Assert.All(rows, xml =>
        {
            Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Build_CertificateFileMissing_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TransportSecurityTests.Unstarted(
            ["--Security:DataProtection:CertificatePath=/nonexistent/keyring.crt", "--Security:DataProtection:CertificateKeyPath=/nonexistent/keyring.key"]));

        Assert.StartsWith("Security:DataProtection:CertificatePath/CertificateKeyPath: cannot read the data-protection certificate '/nonexistent/keyring.crt'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoCertificateOutsideDevelopment_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Program.Build(
            ["--environment=Production", "--Silo:ConnectionString=Host=127.0.0.1;Database=unused"]));

        Assert.StartsWith("Security:DataProtection:CertificatePath is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CertificateWithoutRsaKey_FailsNamingTheKey()
    {
        using var certificates = TestCertificates.Create(); // ECDSA
        var error = Assert.Throws<InvalidOperationException>(() => TransportSecurityTests.Unstarted(
            [$"--Security:DataProtection:CertificatePath={certificates.ServerCertificatePath}", $"--Security:DataProtection:CertificateKeyPath={certificates.ServerKeyPath}"]));

        Assert.Contains("must be an RSA certificate with its private key", error.Message, StringComparison.Ordinal);
    }
}
