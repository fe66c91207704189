namespace DomioOps.Cloud.Cluster;

/// <summary>
/// This silo's certificate and the cluster's certificate authority (section <c>Silo:Tls</c>). Silos and gateway clients
/// authenticate each other both ways: a peer is admitted when its certificate chains to the cluster CA.
/// </summary>
public sealed class SiloTlsOptions
{
    /// <summary>The silo's certificate: PEM (key in <see cref="KeyPath"/> or in the same file) or PKCS#12 (<c>.pfx</c>, <c>.p12</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; empty when the key is in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>The PEM certificate(s) of the cluster CA: the only issuer whose silos and clients this silo admits.</summary>
    public string? CaCertificatePath { get; set; }

    internal bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(CaCertificatePath);
}
