using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Orleans.Configuration;
using Orleans.Connections.Security;

namespace DomioOps.Cloud.Cluster;

/// <summary>
/// Mutual TLS on the silo and gateway ports (<c>Silo:Tls</c>): this silo presents its certificate both as server and
/// as client, and admits a peer only when the peer's certificate chains to the cluster CA. Peers are reached by IP
/// address, so the host name in a certificate is not checked: holding a certificate of the cluster CA is the identity.
/// </summary>
internal sealed class ClusterTls : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authorities;
    private readonly TimeProvider _time;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeProvider time)
    {
        Certificate = certificate;
        _authorities = authorities;
        _time = time;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Reads the certificate, its key and the CA named in <paramref name="options"/>; throws <see cref="InvalidOperationException"/> naming the key to fix.</summary>
    public static ClusterTls Load(SiloTlsOptions options, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            throw new InvalidOperationException("Silo:Tls:CertificatePath is required when Silo:Tls is configured: the silo's certificate "
                + "(PEM with its key in Silo:Tls:KeyPath, or a PKCS#12 .pfx with Silo:Tls:Password).");
        }

        if (string.IsNullOrWhiteSpace(options.CaCertificatePath))
        {
            throw new InvalidOperationException("Silo:Tls:CaCertificatePath is required with Silo:Tls:CertificatePath: the PEM certificate of the cluster CA; "
                + "a silo admits only silos and clients whose certificate that CA issued.");
        }

        var authorities = LoadAuthorities(options.CaCertificatePath);
        var certificate = LoadCertificate(options);
        var tls = new ClusterTls(certificate, authorities, time);
        try
        {
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"Silo:Tls:CertificatePath {options.CertificatePath} has no private key: "
                    + "give the PEM key in Silo:Tls:KeyPath, or a PKCS#12 file that holds the key.");
            }

            if (!AllowsUsage(certificate, ServerAuthentication) || !AllowsUsage(certificate, ClientAuthentication))
            {
                throw new InvalidOperationException($"Silo:Tls:CertificatePath {options.CertificatePath}: the certificate's extended key usage must include "
                    + "both serverAuth and clientAuth (a silo is server and client to its peers), e.g. openssl -addext \"extendedKeyUsage=serverAuth,clientAuth\".");
            }

            if (!tls.IsIssuedByCluster(certificate, presented: null))
            {
                throw new InvalidOperationException($"Silo:Tls:CertificatePath {options.CertificatePath} ({certificate.Subject}, valid {certificate.NotBefore:u} to "
                    + $"{certificate.NotAfter:u}) is not a valid certificate of the CA in Silo:Tls:CaCertificatePath {options.CaCertificatePath}: "
                    + "the other silos would refuse it. Issue the silo's certificate from the cluster CA, or renew it if it has expired.");
            }

            return tls;
        }
        catch
        {
            tls.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="certificate"/> chains to the cluster CA and is valid now.</summary>
    public bool IsIssuedByCluster(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        // A private CA publishes no revocation list; a compromised silo is shut out by a new CA.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        if (presented is not null)
        {
            // Intermediates the peer sent; trust still ends only at the cluster CA.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    /// <summary>TLS on inbound silo and gateway connections and on outbound silo connections (what <c>UseTls</c> does, with a certificate loaded at start).</summary>
    public void Apply(SiloConnectionOptions connections)
    {
        var options = new TlsOptions
        {
            LocalCertificate = Certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = (certificate, chain, _) => IsIssuedByCluster(certificate, chain),
        };
        connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(options));
        connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(options));
        connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(options));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var authority in _authorities)
        {
            authority.Dispose();
        }
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"Silo:Tls:CaCertificatePath {path} cannot be read ({e.Message}): give the PEM file of the cluster CA.", e);
        }

        return authorities.Count > 0
            ? authorities
            : throw new InvalidOperationException($"Silo:Tls:CaCertificatePath {path} holds no PEM certificate: give the PEM file of the cluster CA.");
    }

    private static X509Certificate2 LoadCertificate(SiloTlsOptions options)
    {
        var path = options.CertificatePath!;
        try
        {
            var extension = Path.GetExtension(path);
            var certificate = extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.Password)
                : string.IsNullOrEmpty(options.Password)
                    ? X509Certificate2.CreateFromPemFile(path, string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath);
            if (!OperatingSystem.IsWindows())
            {
                return certificate;
            }

            // SChannel does not use the ephemeral key of a PEM-loaded certificate: hand it a persisted copy.
            using (certificate)
            {
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Silo:Tls:CertificatePath {path} cannot be read ({e.Message}): give a PEM certificate with its key in "
                + "Silo:Tls:KeyPath (and Silo:Tls:Password if the key is encrypted), or a PKCS#12 .pfx with Silo:Tls:Password.", e);
        }
    }

    private static bool AllowsUsage(X509Certificate2 certificate, string usage)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage);
    }
}
