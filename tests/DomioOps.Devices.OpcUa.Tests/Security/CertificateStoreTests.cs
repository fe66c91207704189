using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;

namespace DomioOps.Devices.OpcUa.Tests.Security;

/// <summary>Trust decisions of the PKI folder (OPC 10000-4 §6.1.3, OPC 10000-12 §F.1): trusted CAs, issuers, CRLs, rejected/.</summary>
public sealed class CertificateStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "domioops-opcua-ca-" + Guid.NewGuid().ToString("N"));
    private readonly CertificateStore _store;
    private readonly TestCertificateAuthority _root1 = TestCertificateAuthority.CreateRoot("Plant Root CA");

    public CertificateStoreTests() => _store = new CertificateStore(_root);

    public void Dispose()
    {
        _root1.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static X509Certificate2 Peer(TestCertificateAuthority ca, DateTimeOffset? notAfter = null) => ca.IssueApplication("Saw 1", "urn:plant:saw1", notAfter);

    private OpcUaException Refused(X509Certificate2 certificate, StatusCode expected)
    {
        var ex = Assert.Throws<OpcUaException>(() => _store.Validate(certificate));
        Assert.Equal(expected, ex.StatusCode);
        Assert.Equal(certificate.RawData, File.ReadAllBytes(Assert.Single(Directory.GetFiles(_store.RejectedFolder))));
        return ex;
    }

    [Fact]
    public void Validate_IssuedByCaInTrustedFolder_Accepted()
    {
        _store.Trust(_root1.Certificate);
        using var peer = Peer(_root1);
        _store.Validate(peer);
        Assert.False(Directory.Exists(_store.RejectedFolder) && Directory.GetFiles(_store.RejectedFolder).Length > 0);
    }

    [Fact]
    public void Validate_IssuedByIntermediateInIssuersUnderTrustedRoot_Accepted()
    {
        using var intermediate = _root1.CreateIntermediate("Hall 2 CA");
        _store.Trust(_root1.Certificate);
        _store.AddIssuer(intermediate.Certificate);
        using var peer = Peer(intermediate);
        _store.Validate(peer);
    }

    [Fact]
    public void Validate_IssuedByCaOnlyInIssuers_UntrustedAndRejected()
    {
        _store.AddIssuer(_root1.Certificate);
        using var peer = Peer(_root1);
        var ex = Refused(peer, StatusCode.BadCertificateUntrusted);
        Assert.Contains(_store.TrustedFolder, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IssuerUnknown_ChainIncompleteNamesTheIssuerAndRejected()
    {
        using var other = TestCertificateAuthority.CreateRoot("Vendor CA");
        _store.Trust(_root1.Certificate);
        using var peer = Peer(other);
        var ex = Refused(peer, StatusCode.BadCertificateChainIncomplete);
        Assert.Contains("Vendor CA", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_store.RejectedFolder, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RevokedByTheCasCrl_Revoked()
    {
        _store.Trust(_root1.Certificate);
        using var peer = Peer(_root1);
        using var other = Peer(_root1);
        Directory.CreateDirectory(_store.TrustedCrlFolder);
        File.WriteAllBytes(Path.Combine(_store.TrustedCrlFolder, "root.crl"), _root1.RevocationList(peer));
        Refused(peer, StatusCode.BadCertificateRevoked);
        _store.Validate(other);
    }

    [Fact]
    public void Validate_CrlSignedByAnotherCa_Ignored()
    {
        using var impostor = TestCertificateAuthority.CreateRoot("Plant Root CA");
        _store.Trust(_root1.Certificate);
        using var peer = Peer(_root1);
        Directory.CreateDirectory(_store.TrustedCrlFolder);
        File.WriteAllBytes(Path.Combine(_store.TrustedCrlFolder, "forged.crl"), impostor.RevocationList(peer));
        File.WriteAllText(Path.Combine(_store.TrustedCrlFolder, "garbage.crl"), "not a CRL");
        _store.Validate(peer);
    }

    [Fact]
    public void Validate_RevokedIntermediate_IssuerRevoked()
    {
        using var intermediate = _root1.CreateIntermediate("Hall 2 CA");
        _store.Trust(_root1.Certificate);
        _store.AddIssuer(intermediate.Certificate);
        Directory.CreateDirectory(_store.TrustedCrlFolder);
        File.WriteAllText(Path.Combine(_store.TrustedCrlFolder, "root.pem"), PemEncoding.WriteString("X509 CRL", _root1.RevocationList(intermediate.Certificate)));
        using var peer = Peer(intermediate);
        Refused(peer, StatusCode.BadCertificateIssuerRevoked);
    }

    [Fact]
    public void Validate_ExpiredCertificateOfTrustedCa_TimeInvalid()
    {
        _store.Trust(_root1.Certificate);
        using var peer = Peer(_root1, DateTimeOffset.UtcNow.AddDays(-1));
        Refused(peer, StatusCode.BadCertificateTimeInvalid);
    }

    [Fact]
    public void Validate_SelfSignedTrustedThenUnknown_AcceptedThenUntrusted()
    {
        CertificateStore peerStore = new(Path.Combine(_root, "peer"));
        using var selfSigned = peerStore.LoadOrCreateApplicationCertificate("urn:plant:saw1", "Saw 1");
        Refused(selfSigned, StatusCode.BadCertificateUntrusted);
        _store.Trust(selfSigned);
        _store.Validate(selfSigned);
    }
}
