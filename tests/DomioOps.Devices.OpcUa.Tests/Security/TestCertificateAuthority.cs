using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Devices.OpcUa.Tests.Security;

/// <summary>An RSA certificate authority made for a test: issues CA and application certificates and signs CRLs.</summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    public X509Certificate2 Certificate { get; }

    public static TestCertificateAuthority CreateRoot(string name)
    {
        using var key = RSA.Create(2048);
        var request = CaRequest(name, key);
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1)));
    }

    public TestCertificateAuthority CreateIntermediate(string name)
    {
        using var key = RSA.Create(2048);
        var request = CaRequest(name, key);
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Certificate, now.AddDays(-1), now.AddMonths(6), RandomNumberGenerator.GetBytes(8));
        return new TestCertificateAuthority(issued.CopyWithPrivateKey(key));
    }

    /// <summary>An application instance certificate (with its private key) for <paramref name="applicationUri"/>.</summary>
    public X509Certificate2 IssueApplication(string name, string applicationUri, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        CertificateRequest request = new($"CN={name}, O=DomioOps", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        SubjectAlternativeNameBuilder san = new();
        san.AddUri(new Uri(applicationUri));
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddMonths(3);
        using var issued = request.Create(Certificate, end < now ? end.AddDays(-10) : now.AddDays(-1), end, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A DER CRL signed by this CA that revokes <paramref name="revoked"/>.</summary>
    public byte[] RevocationList(params X509Certificate2[] revoked)
    {
        CertificateRevocationListBuilder builder = new();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-1));
        }

        return builder.Build(Certificate, BigInteger.One, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static CertificateRequest CaRequest(string name, RSA key)
    {
        CertificateRequest request = new($"CN={name}, O=DomioOps", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    public void Dispose() => Certificate.Dispose();
}
