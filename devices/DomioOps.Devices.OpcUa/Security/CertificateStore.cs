using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Devices.OpcUa.Security;

/// <summary>
/// An application's PKI folder (the layout of OPC 10000-12 §F.1): <c>own/</c> holds the application instance certificate
/// and key, created on first use; <c>trusted/certs</c> holds peer certificates an operator trusts; a peer certificate
/// that is not there is refused and copied to <c>rejected/certs</c> for the operator to review. Nothing is trusted
/// automatically.
/// </summary>
public sealed class CertificateStore
{
    private readonly Lock _gate = new();

    public CertificateStore(string rootFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootFolder);
        RootFolder = rootFolder;
    }

    public string RootFolder { get; }

    public string OwnFolder => Path.Combine(RootFolder, "own");

    public string TrustedFolder => Path.Combine(RootFolder, "trusted", "certs");

    public string RejectedFolder => Path.Combine(RootFolder, "rejected", "certs");

    /// <summary>Loads the application instance certificate with its private key, creating a self-signed one (RSA 2048, SHA-256) if none exists.</summary>
    public X509Certificate2 LoadOrCreateApplicationCertificate(string applicationUri, string applicationName, string hostName = "localhost")
    {
        lock (_gate)
        {
            Directory.CreateDirectory(OwnFolder);
            Directory.CreateDirectory(TrustedFolder);
            Directory.CreateDirectory(RejectedFolder);
            string certPath = Path.Combine(OwnFolder, "certificate.der");
            string keyPath = Path.Combine(OwnFolder, "private.pem");
            if (File.Exists(certPath) && File.Exists(keyPath))
            {
                using X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificateFromFile(certPath);
                using RSA key = RSA.Create();
                key.ImportFromPem(File.ReadAllText(keyPath));
                return publicOnly.CopyWithPrivateKey(key);
            }

            using RSA rsa = RSA.Create(2048);
            CertificateRequest request = new($"CN={applicationName}, O=DomioOps", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            SubjectAlternativeNameBuilder san = new();
            san.AddUri(new Uri(applicationUri));
            san.AddDnsName(hostName);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyCertSign,
                true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            DateTimeOffset now = DateTimeOffset.UtcNow;
            X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
            File.WriteAllBytes(certPath, certificate.RawData);
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
            return certificate;
        }
    }

    /// <summary>Adds a certificate to the trusted folder (what an operator does after reviewing it).</summary>
    public void Trust(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(TrustedFolder);
        File.WriteAllBytes(Path.Combine(TrustedFolder, FileName(certificate)), certificate.RawData);
    }

    /// <summary>
    /// Accepts a peer certificate only if an identical one is in the trusted folder and it is within its validity period;
    /// otherwise copies it to the rejected folder and throws BadSecurityChecksFailed.
    /// </summary>
    public void Validate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string trusted = Path.Combine(TrustedFolder, FileName(certificate));
        bool known = File.Exists(trusted) && File.ReadAllBytes(trusted).AsSpan().SequenceEqual(certificate.RawData);
        if (!known)
        {
            known = Directory.Exists(TrustedFolder) && Directory.EnumerateFiles(TrustedFolder).Any(f => SameCertificate(f, certificate));
        }

        if (!known)
        {
            Directory.CreateDirectory(RejectedFolder);
            File.WriteAllBytes(Path.Combine(RejectedFolder, FileName(certificate)), certificate.RawData);
            throw new OpcUaException(StatusCode.BadSecurityChecksFailed, $"Certificate '{certificate.Subject}' ({certificate.Thumbprint}) is not trusted; it was put in {RejectedFolder}.");
        }

        DateTime now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            throw new OpcUaException(StatusCode.BadSecurityChecksFailed, $"Certificate '{certificate.Subject}' is outside its validity period.");
        }
    }

    private static bool SameCertificate(string file, X509Certificate2 certificate)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(file);
            if (bytes.AsSpan().SequenceEqual(certificate.RawData))
            {
                return true;
            }

            using X509Certificate2 other = file.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPem(File.ReadAllText(file))
                : X509CertificateLoader.LoadCertificate(bytes);
            return other.RawData.AsSpan().SequenceEqual(certificate.RawData);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string FileName(X509Certificate2 certificate) => $"{certificate.Thumbprint}.der";
}
