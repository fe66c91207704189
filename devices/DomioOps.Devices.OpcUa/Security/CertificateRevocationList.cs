using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Devices.OpcUa.Security;

/// <summary>
/// An X.509 CRL (RFC 5280 §5.1), DER or PEM, accepted only when its issuer is the given CA and the CA's key verifies its
/// signature (RSA PKCS#1 or ECDSA with SHA-256/384/512).
/// </summary>
/// <remarks>
/// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING };
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer Name, thisUpdate, nextUpdate OPTIONAL,
/// revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate, extensions OPTIONAL } OPTIONAL,
/// [0] crlExtensions OPTIONAL }.
/// </remarks>
internal sealed class CertificateRevocationList
{
    private readonly HashSet<string> _serials;

    private CertificateRevocationList(HashSet<string> serials) => _serials = serials;

    public bool Lists(ReadOnlySpan<byte> serialNumber) => _serials.Contains(Key(serialNumber));

    private static string Key(ReadOnlySpan<byte> serial)
    {
        while (serial.Length > 1 && serial[0] == 0)
        {
            serial = serial[1..];
        }

        return Convert.ToHexString(serial);
    }

    /// <summary>Parses a CRL and checks that <paramref name="issuer"/> signed it; false for anything else (another CA's CRL, garbage).</summary>
    public static bool TryLoad(byte[] bytes, X509Certificate2 issuer, [NotNullWhen(true)] out CertificateRevocationList? crl)
    {
        crl = null;
        try
        {
            var der = bytes;
            if (bytes.Length > 0 && bytes[0] == (byte)'-')
            {
                var text = System.Text.Encoding.ASCII.GetString(bytes);
                der = Convert.FromBase64String(text[PemEncoding.Find(text).Base64Data]);
            }

            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = list.PeekEncodedValue();
            var tbs = list.ReadSequence();
            var algorithm = list.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                _ = tbs.ReadInteger();
            }

            _ = tbs.ReadSequence();
            var issuerName = tbs.ReadEncodedValue();
            if (!issuerName.Span.SequenceEqual(issuer.SubjectName.RawData) || !Verify(issuer, oid, tbsBytes.Span, signature))
            {
                return false;
            }

            _ = tbs.ReadEncodedValue();
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                _ = tbs.ReadEncodedValue();
            }

            HashSet<string> serials = [];
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    var entry = revoked.ReadSequence();
                    serials.Add(Key(entry.ReadIntegerBytes().Span));
                }
            }

            crl = new CertificateRevocationList(serials);
            return true;
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static bool Verify(X509Certificate2 issuer, string oid, ReadOnlySpan<byte> data, byte[] signature)
    {
        (var hash, var rsa) = oid switch
        {
            "1.2.840.113549.1.1.11" => (HashAlgorithmName.SHA256, true),
            "1.2.840.113549.1.1.12" => (HashAlgorithmName.SHA384, true),
            "1.2.840.113549.1.1.13" => (HashAlgorithmName.SHA512, true),
            "1.2.840.10045.4.3.2" => (HashAlgorithmName.SHA256, false),
            "1.2.840.10045.4.3.3" => (HashAlgorithmName.SHA384, false),
            "1.2.840.10045.4.3.4" => (HashAlgorithmName.SHA512, false),
            _ => (default, false),
        };
        if (hash == default)
        {
            return false;
        }

        if (rsa)
        {
            using var key = issuer.GetRSAPublicKey();
            return key is not null && key.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
        }

        using var ec = issuer.GetECDsaPublicKey();
        return ec is not null && ec.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
