using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Devices.OpcUa.Security;

/// <summary>
/// An application's PKI folder (the layout of OPC 10000-12 §F.1): <c>own/</c> holds the application instance certificate
/// and key, created on first use; <c>trusted/certs</c> holds what an operator trusts — peer certificates, or CA
/// certificates whose every issued certificate is then trusted; <c>issuers/certs</c> holds CA certificates that only
/// complete chains (trusting nothing by themselves); <c>trusted/crl</c> and <c>issuers/crl</c> hold the CAs' revocation
/// lists. A peer certificate that is not trusted is refused with the reason and copied to <c>rejected/certs</c> for the
/// operator to review. Nothing is trusted automatically.
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

    public string TrustedCrlFolder => Path.Combine(RootFolder, "trusted", "crl");

    public string IssuersFolder => Path.Combine(RootFolder, "issuers", "certs");

    public string IssuersCrlFolder => Path.Combine(RootFolder, "issuers", "crl");

    /// <summary>Loads the application instance certificate with its private key, creating a self-signed one (RSA 2048, SHA-256) if none exists.</summary>
    public X509Certificate2 LoadOrCreateApplicationCertificate(string applicationUri, string applicationName, string hostName = "localhost")
    {
        lock (_gate)
        {
            Directory.CreateDirectory(OwnFolder);
            Directory.CreateDirectory(TrustedFolder);
            Directory.CreateDirectory(RejectedFolder);
            var certPath = Path.Combine(OwnFolder, "certificate.der");
            var keyPath = Path.Combine(OwnFolder, "private.pem");
            if (File.Exists(certPath) && File.Exists(keyPath))
            {
                using var publicOnly = X509CertificateLoader.LoadCertificateFromFile(certPath);
                using var key = RSA.Create();
                key.ImportFromPem(File.ReadAllText(keyPath));
                return publicOnly.CopyWithPrivateKey(key);
            }

            using var rsa = RSA.Create(2048);
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
            var now = DateTimeOffset.UtcNow;
            var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
            File.WriteAllBytes(certPath, certificate.RawData);
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
            return certificate;
        }
    }

    /// <summary>Adds a certificate (a peer's, or a CA's) to the trusted folder (what an operator does after reviewing it).</summary>
    public void Trust(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(TrustedFolder);
        File.WriteAllBytes(Path.Combine(TrustedFolder, FileName(certificate)), certificate.RawData);
    }

    /// <summary>Adds a CA certificate to the issuers folder: it completes chains but trusts nothing by itself.</summary>
    public void AddIssuer(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(IssuersFolder);
        File.WriteAllBytes(Path.Combine(IssuersFolder, FileName(certificate)), certificate.RawData);
    }

    /// <summary>
    /// Accepts a peer certificate (OPC 10000-4 §6.1.3) when it or a CA of its chain is in the trusted folder, the chain
    /// up to a self-signed root can be built from the trusted and issuers folders, every certificate of the chain is
    /// within its validity period, and no CRL of an issuer in the chain lists it. Otherwise the certificate is copied to
    /// the rejected folder and an <see cref="OpcUaException"/> says why: BadCertificateUntrusted,
    /// BadCertificateChainIncomplete, BadCertificateTimeInvalid or BadCertificateRevoked.
    /// </summary>
    /// <remarks>A CA without a CRL in the folders is taken as revoking nothing.</remarks>
    public void Validate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var trusted = LoadCertificates(TrustedFolder);
        var issuers = LoadCertificates(IssuersFolder);
        try
        {
            Check(certificate, trusted, issuers);
        }
        catch (OpcUaException)
        {
            Directory.CreateDirectory(RejectedFolder);
            File.WriteAllBytes(Path.Combine(RejectedFolder, FileName(certificate)), certificate.RawData);
            throw;
        }
        finally
        {
            trusted.ForEach(c => c.Dispose());
            issuers.ForEach(c => c.Dispose());
        }
    }

    private void Check(X509Certificate2 certificate, List<X509Certificate2> trusted, List<X509Certificate2> issuers)
    {
        var who = $"Certificate '{certificate.Subject}' ({certificate.Thumbprint})";
        var leafTrusted = trusted.Any(t => t.RawData.AsSpan().SequenceEqual(certificate.RawData));
        using X509Chain chain = new();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage;
        foreach (var ca in trusted.Concat(issuers))
        {
            (ca.SubjectName.RawData.AsSpan().SequenceEqual(ca.IssuerName.RawData) ? chain.ChainPolicy.CustomTrustStore : chain.ChainPolicy.ExtraStore).Add(ca);
        }

        chain.Build(certificate);
        var problems = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        X509Certificate2[] path = [.. chain.ChainElements.Select(e => e.Certificate)];
        var complete = (problems & (X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot)) == 0;
        var chainTrusted = path.Skip(1).Any(ca => trusted.Any(t => t.RawData.AsSpan().SequenceEqual(ca.RawData)));
        if (!leafTrusted && !complete)
        {
            throw new OpcUaException(certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? StatusCode.BadCertificateUntrusted : StatusCode.BadCertificateChainIncomplete,
                $"{who} is not trusted: its issuer '{certificate.Issuer}' is in neither {TrustedFolder} nor {IssuersFolder}; it was put in {RejectedFolder}.");
        }

        if (!leafTrusted && !chainTrusted)
        {
            throw new OpcUaException(StatusCode.BadCertificateUntrusted, $"{who} is not trusted: neither it nor a CA of its chain is in {TrustedFolder}; it was put in {RejectedFolder}.");
        }

        if ((problems & X509ChainStatusFlags.NotSignatureValid) != 0)
        {
            throw new OpcUaException(StatusCode.BadSecurityChecksFailed, $"{who} has an invalid signature in its chain.");
        }

        var now = DateTime.Now;
        foreach (var link in complete ? path : [certificate])
        {
            if (now < link.NotBefore || now > link.NotAfter)
            {
                throw new OpcUaException(StatusCode.BadCertificateTimeInvalid, $"{who}: '{link.Subject}' is outside its validity period ({link.NotBefore:u} to {link.NotAfter:u}).");
            }
        }

        for (var i = 0; complete && i + 1 < path.Length; i++)
        {
            if (IsRevoked(path[i], path[i + 1]))
            {
                throw new OpcUaException(i == 0 ? StatusCode.BadCertificateRevoked : StatusCode.BadCertificateIssuerRevoked, $"{who}: '{path[i].Subject}' is revoked by a CRL of '{path[i + 1].Subject}'.");
            }
        }
    }

    /// <summary>Whether a CRL signed by <paramref name="issuer"/> in the crl folders lists <paramref name="certificate"/>.</summary>
    private bool IsRevoked(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        foreach (var folder in new[] { TrustedCrlFolder, IssuersCrlFolder })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                if (CertificateRevocationList.TryLoad(File.ReadAllBytes(file), issuer, out var crl) && crl.Lists(certificate.SerialNumberBytes.Span))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static List<X509Certificate2> LoadCertificates(string folder)
    {
        List<X509Certificate2> certificates = [];
        if (!Directory.Exists(folder))
        {
            return certificates;
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            try
            {
                certificates.Add(file.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                    ? X509Certificate2.CreateFromPem(File.ReadAllText(file))
                    : X509CertificateLoader.LoadCertificateFromFile(file));
            }
            catch (CryptographicException)
            {
                // Not a certificate (a stray file): it trusts nothing.
            }
        }

        return certificates;
    }

    private static string FileName(X509Certificate2 certificate) => $"{certificate.Thumbprint}.der";
}
