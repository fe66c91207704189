using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Testing;

/// <summary>
/// The RSA certificate (PEM pair) that encrypts the cloud's data-protection keys in the tests
/// (<c>Security:DataProtection</c>): one per test process, so that every silo of a test cluster shares it.
/// </summary>
public static class KeyRingCertificates
{
    private static readonly Lazy<(string Certificate, string Key)> Files = new(Create);

    public static string CertificatePath => Files.Value.Certificate;

    public static string KeyPath => Files.Value.Key;

    /// <summary>The cloud's settings for it, keyed with <paramref name="separator"/> (":" for arguments, "__" for the environment).</summary>
    public static Dictionary<string, string> Settings(string separator) => new()
    {
        [$"Security{separator}DataProtection{separator}CertificatePath"] = CertificatePath,
        [$"Security{separator}DataProtection{separator}CertificateKeyPath"] = KeyPath,
    };

    private static (string, string) Create()
    {
        var folder = Directory.CreateTempSubdirectory("domioops-keyring-").FullName;
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=DomioOps test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        string certificatePath = Path.Combine(folder, "keyring.crt"), keyPath = Path.Combine(folder, "keyring.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
