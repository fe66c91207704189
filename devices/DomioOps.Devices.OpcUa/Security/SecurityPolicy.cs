using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DomioOps.Devices.OpcUa.Security;

/// <summary>
/// The algorithms of a SecurityPolicy (OPC 10000-7 profiles; OPC 10000-6 §6.7.5 key derivation). Asymmetric: RSA
/// PKCS#1 v1.5 SHA-256 signatures and RSA-OAEP (SHA-1) encryption for both supported policies; symmetric: HMAC-SHA256
/// and AES-CBC with 256-bit (Basic256Sha256) or 128-bit (Aes128_Sha256_RsaOaep) keys.
/// </summary>
public sealed class SecurityPolicy
{
    public const string NoneUri = "http://opcfoundation.org/UA/SecurityPolicy#None";
    public const string Basic256Sha256Uri = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256";
    public const string Aes128Sha256RsaOaepUri = "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep";
    public const string RsaSha256SignatureUri = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public const string RsaOaepEncryptionUri = "http://www.w3.org/2001/04/xmlenc#rsa-oaep";

    public static readonly SecurityPolicy None = new(NoneUri, 0, 0, 0);
    public static readonly SecurityPolicy Basic256Sha256 = new(Basic256Sha256Uri, 32, 32, 32);
    public static readonly SecurityPolicy Aes128Sha256RsaOaep = new(Aes128Sha256RsaOaepUri, 32, 16, 32);

    private SecurityPolicy(string uri, int signatureKeyLength, int encryptionKeyLength, int nonceLength)
    {
        Uri = uri;
        SignatureKeyLength = signatureKeyLength;
        EncryptionKeyLength = encryptionKeyLength;
        NonceLength = nonceLength;
    }

    public string Uri { get; }

    public int SignatureKeyLength { get; }

    public int EncryptionKeyLength { get; }

    public int NonceLength { get; }

    public const int SymmetricBlockSize = 16;

    public const int SymmetricSignatureSize = 32;

    public bool IsNone => NonceLength == 0;

    public static SecurityPolicy? FromUri(string? uri) => uri switch
    {
        NoneUri => None,
        Basic256Sha256Uri => Basic256Sha256,
        Aes128Sha256RsaOaepUri => Aes128Sha256RsaOaep,
        _ => null,
    };

    /// <summary>OAEP with SHA-1 takes 42 bytes of each RSA block.</summary>
    public static int AsymmetricPlainBlockSize(RSA key) => (key.KeySize / 8) - 42;

    public static int AsymmetricCipherBlockSize(RSA key) => key.KeySize / 8;

    public static byte[] AsymmetricSign(RSA privateKey, ReadOnlySpan<byte> data) => privateKey.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public static bool AsymmetricVerify(RSA publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>RSA-OAEP (SHA-1) block by block: each plain block of <see cref="AsymmetricPlainBlockSize"/> becomes one cipher block.</summary>
    public static byte[] AsymmetricEncrypt(RSA publicKey, ReadOnlySpan<byte> plain)
    {
        var plainBlock = AsymmetricPlainBlockSize(publicKey);
        var cipherBlock = AsymmetricCipherBlockSize(publicKey);
        var blocks = (plain.Length + plainBlock - 1) / plainBlock;
        var result = new byte[blocks * cipherBlock];
        for (var i = 0; i < blocks; i++)
        {
            var block = plain.Slice(i * plainBlock, Math.Min(plainBlock, plain.Length - (i * plainBlock)));
            var encrypted = publicKey.Encrypt(block.ToArray(), RSAEncryptionPadding.OaepSHA1);
            encrypted.CopyTo(result, i * cipherBlock);
        }

        return result;
    }

    public static byte[] AsymmetricDecrypt(RSA privateKey, ReadOnlySpan<byte> cipher)
    {
        var cipherBlock = AsymmetricCipherBlockSize(privateKey);
        if (cipher.Length % cipherBlock != 0)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Encrypted data is not a whole number of RSA blocks.");
        }

        using MemoryStream plain = new();
        for (var offset = 0; offset < cipher.Length; offset += cipherBlock)
        {
            try
            {
                plain.Write(privateKey.Decrypt(cipher.Slice(offset, cipherBlock).ToArray(), RSAEncryptionPadding.OaepSHA1));
            }
            catch (CryptographicException ex)
            {
                throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, $"RSA decryption failed: {ex.Message}");
            }
        }

        return plain.ToArray();
    }

    /// <summary>P_SHA256 of RFC 5246 §5 (OPC 10000-6 §6.7.5): HMAC chain A(i) = HMAC(secret, A(i-1)), output HMAC(secret, A(i) + seed).</summary>
    public static byte[] PSha256(byte[] secret, byte[] seed, int length)
    {
        var result = new byte[length];
        var a = HMACSHA256.HashData(secret, seed);
        var written = 0;
        while (written < length)
        {
            var block = HMACSHA256.HashData(secret, (byte[])[.. a, .. seed]);
            var take = Math.Min(block.Length, length - written);
            block.AsSpan(0, take).CopyTo(result.AsSpan(written));
            written += take;
            a = HMACSHA256.HashData(secret, a);
        }

        return result;
    }

    /// <summary>
    /// §6.7.5: keys that secure what a side sends come from P_SHA256(secret = the other side's nonce, seed = its own nonce):
    /// signing key, then encryption key, then the IV.
    /// </summary>
    public SymmetricKeys DeriveKeys(byte[] secret, byte[] seed)
    {
        var material = PSha256(secret, seed, SignatureKeyLength + EncryptionKeyLength + SymmetricBlockSize);
        return new SymmetricKeys(material[..SignatureKeyLength], material[SignatureKeyLength..(SignatureKeyLength + EncryptionKeyLength)], material[(SignatureKeyLength + EncryptionKeyLength)..]);
    }

    // OPC 10000-6 §6.7.2.3: the ReceiverCertificateThumbprint is the SHA-1 of the DER certificate; it identifies, it does not protect.
#pragma warning disable CA5350
    public static byte[] Thumbprint(X509Certificate2 certificate) => SHA1.HashData(certificate.RawData);
#pragma warning restore CA5350
}

/// <summary>The symmetric keys of one direction of a secure channel.</summary>
public sealed record SymmetricKeys(byte[] SigningKey, byte[] EncryptingKey, byte[] InitializationVector)
{
    public byte[] Sign(ReadOnlySpan<byte> data) => HMACSHA256.HashData(SigningKey, data);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(SigningKey, data), signature);

    public void Encrypt(Span<byte> data)
    {
        using var aes = Aes.Create();
        aes.Key = EncryptingKey;
        aes.EncryptCbc(data, InitializationVector, data, PaddingMode.None);
    }

    public void Decrypt(Span<byte> data)
    {
        if (data.Length % SecurityPolicy.SymmetricBlockSize != 0)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Encrypted data is not a whole number of AES blocks.");
        }

        using var aes = Aes.Create();
        aes.Key = EncryptingKey;
        aes.DecryptCbc(data, InitializationVector, data, PaddingMode.None);
    }
}
