using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Cloud.Security;

/// <summary>
/// Loads the certificate of <see cref="KeyRingCertificateOptions"/> at start, so that a missing or unreadable file stops
/// the host with the key to fix rather than leaving the data-protection keys in clear.
/// </summary>
internal static class KeyRingCertificate
{
    private const string Section = SecurityOptions.Section + ":DataProtection";

    /// <summary>The certificate, or null in Development when none is configured (the keys are then stored in clear).</summary>
    public static X509Certificate2? Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(Section).Get<KeyRingCertificateOptions>() ?? new();
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return environment.IsDevelopment()
                ? null
                : throw new InvalidOperationException(
                    $"{Section}:CertificatePath is not set: the data-protection keys (cookies, two-factor tokens) would be stored in clear in PostgreSQL. "
                    + $"Give an RSA certificate with its private key: {Section}:CertificatePath and {Section}:CertificateKeyPath (PEM), "
                    + $"or a PKCS#12 file in {Section}:CertificatePath with {Section}:CertificatePassword.");
        }

        X509Certificate2 certificate;
        var key = options.CertificateKeyPath is null ? "CertificatePath" : "CertificatePath/CertificateKeyPath";
        try
        {
            certificate = options.CertificateKeyPath is { } keyPath
                ? X509Certificate2.CreateFromPemFile(options.CertificatePath, keyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{Section}:{key}: cannot read the data-protection certificate '{options.CertificatePath}'"
                + (options.CertificateKeyPath is null ? "" : $" with its key '{options.CertificateKeyPath}'") + $" ({e.Message})", e);
        }

        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{Section}:{key}: '{options.CertificatePath}' must be an RSA certificate with its private key (XML encryption of the keys needs RSA)");
        }

        return certificate;
    }
}
