using DomioOps.Cloud.Cluster;
using DomioOps.Testing;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.Cluster;

public sealed class SiloOptionsValidatorTests : IDisposable
{
    private readonly TestCertificates _cluster = TestCertificates.Create();
    private readonly TestCertificates _foreign = TestCertificates.Create();
    private readonly SiloOptionsValidator _validator = new(TimeProvider.System);

    [Fact]
    public async Task AddCluster_PrivateAddressWithoutTls_FailsAtStartNamingTheKeys()
    {
        var settings = ClusterSilo.Settings("Host=127.0.0.1;Port=1;Database=none", "validation", tls: null);
        settings["Silo:AdvertisedAddress"] = "10.255.255.1";
        using var host = ClusterSilo.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("Silo:Tls:CertificatePath is required: the silo listens on 10.255.255.1, not loopback", failure, StringComparison.Ordinal);
        Assert.Contains("Silo:Tls:CaCertificatePath", failure, StringComparison.Ordinal);
        Assert.Contains("Silo:AllowInsecureClusterTraffic=true", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LoopbackWithoutTls_Succeeds()
    {
        // ./domio run: one silo on 127.0.0.1, no certificate.
        Assert.True(_validator.Validate(null, new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "127.0.0.1" }).Succeeded);
    }

    [Fact]
    public void Validate_PrivateAddressAllowedInsecure_Succeeds()
    {
        Assert.True(_validator.Validate(null, new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "10.0.0.5", AllowInsecureClusterTraffic = true }).Succeeded);
    }

    [Fact]
    public void Validate_EveryInterfaceWithClusterCertificate_Succeeds()
    {
        var options = new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "203.0.113.5", ListenAddress = "0.0.0.0", Tls = Tls(_cluster) };

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_CertificateOfAnotherCa_FailsNamingCaCertificatePath()
    {
        var tls = Tls(_foreign);
        tls.CaCertificatePath = _cluster.CaPath;

        var failure = Assert.Single(Failures(new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "10.0.0.5", Tls = tls }));

        Assert.StartsWith($"Silo:Tls:CertificatePath {_foreign.ServerCertificatePath} (CN=localhost, valid ", failure, StringComparison.Ordinal);
        Assert.Contains($"is not a valid certificate of the CA in Silo:Tls:CaCertificatePath {_cluster.CaPath}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateWithoutCa_FailsNamingCaCertificatePath()
    {
        var tls = Tls(_cluster);
        tls.CaCertificatePath = null;

        var failure = Assert.Single(Failures(new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "10.0.0.5", Tls = tls }));

        Assert.StartsWith("Silo:Tls:CaCertificatePath is required with Silo:Tls:CertificatePath", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateWithoutKey_FailsNamingKeyPath()
    {
        var tls = Tls(_cluster);
        tls.KeyPath = null;

        var failure = Assert.Single(Failures(new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "10.0.0.5", Tls = tls }));

        Assert.StartsWith($"Silo:Tls:CertificatePath {_cluster.ServerCertificatePath} cannot be read", failure, StringComparison.Ordinal);
        Assert.Contains("Silo:Tls:KeyPath", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingCaFile_FailsNamingCaCertificatePath()
    {
        var tls = Tls(_cluster);
        tls.CaCertificatePath = Path.Combine(_cluster.Folder, "missing.pem");

        var failure = Assert.Single(Failures(new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "10.0.0.5", Tls = tls }));

        Assert.StartsWith($"Silo:Tls:CaCertificatePath {tls.CaCertificatePath} cannot be read", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificatesOfTheComposeScript_Succeed()
    {
        // deploy/silo-tls/make-certificates.sh makes what docker-compose.yml mounts into cloud-1 and cloud-2.
        var folder = Directory.CreateTempSubdirectory("domioops-silo-tls-").FullName;
        try
        {
            File.Copy(Path.Combine(RepositoryRoot.Find(), "deploy", "silo-tls", "make-certificates.sh"), Path.Combine(folder, "make-certificates.sh"));
            using (var script = System.Diagnostics.Process.Start("bash", [Path.Combine(folder, "make-certificates.sh")]))
            {
                Assert.True(script.WaitForExit(TimeSpan.FromSeconds(60)));
                Assert.Equal(0, script.ExitCode);
            }

            foreach (var silo in new[] { "cloud-1", "cloud-2" })
            {
                var tls = new SiloTlsOptions { CertificatePath = Path.Combine(folder, $"{silo}.crt"), KeyPath = Path.Combine(folder, $"{silo}.key"), CaCertificatePath = Path.Combine(folder, "ca.crt") };
                Assert.Empty(Failures(new SiloOptions { ConnectionString = "Host=x", AdvertisedAddress = "172.18.0.4", Tls = tls }));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _foreign.Dispose();
    }

    private static SiloTlsOptions Tls(TestCertificates certificates) =>
        new() { CertificatePath = certificates.ServerCertificatePath, KeyPath = certificates.ServerKeyPath, CaCertificatePath = certificates.CaPath };

    private IEnumerable<string> Failures(SiloOptions options) => _validator.Validate(null, options).Failures ?? [];
}
