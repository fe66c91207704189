using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Security;

/// <summary>The web transport: reverse proxies, plain HTTP on loopback, session checks, the key ring's certificate.</summary>
public sealed partial class SecurityOptions
{
    /// <summary>
    /// Reverse proxies (IP addresses) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. With this
    /// and <see cref="KnownNetworks"/> both empty, only a proxy on loopback is; setting either replaces that default.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/24</c>) of trusted reverse proxies; see <see cref="KnownProxies"/>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>
    /// Outside Development, cookies are always <c>Secure</c>; this lets a host that listens on loopback only (never
    /// another address: a start error) serve sessions over plain HTTP, as <c>./domio run</c> and the tests do.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>How long a person's session cookie is believed before its security stamp is checked again (role change, lock, deletion).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The certificate that encrypts the data-protection keys stored in PostgreSQL.</summary>
    [Required]
    public KeyRingCertificateOptions DataProtection { get; set; } = new();
}

/// <summary>
/// An RSA certificate with its private key (section <c>Security:DataProtection</c>): a PEM pair
/// (<see cref="CertificatePath"/> and <see cref="CertificateKeyPath"/>) or a PKCS#12 file (with <see cref="CertificatePassword"/>).
/// Required outside Development; kept outside the database, so a reader of the database cannot forge cookies or tokens.
/// </summary>
public sealed class KeyRingCertificateOptions
{
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }
}
