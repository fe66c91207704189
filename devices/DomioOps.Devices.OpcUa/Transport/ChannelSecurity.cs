using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>
/// The security state of one secure channel (OPC 10000-6 §6.7): the policy and mode, the certificates of both ends,
/// the nonces, and the symmetric keys per token. It secures and unsecures single chunks; it never looks past a chunk.
/// </summary>
/// <remarks>
/// Asymmetric chunk (OPN, §6.7.2.3): header | ChannelId | PolicyUri, SenderCertificate, ReceiverThumbprint |
/// RSA-OAEP[ SequenceHeader | body | PaddingSize, padding (, ExtraPaddingSize) | RSA-SHA256 signature ].
/// Symmetric chunk (MSG, CLO, §6.7.2.4): header | ChannelId | TokenId | AES-CBC[ SequenceHeader | body | padding | HMAC ]
/// with encryption only in SignAndEncrypt; the signature covers everything before it, header included.
/// </remarks>
internal sealed class ChannelSecurity
{
    // Written by the receive side on a renewal while sends read it: a concurrent dictionary.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, (SymmetricKeys Send, SymmetricKeys Receive)> _keys = new();

    public ChannelSecurity(SecurityPolicy policy, MessageSecurityMode mode, X509Certificate2 localCertificate, X509Certificate2? remoteCertificate)
    {
        Policy = policy;
        Mode = mode;
        LocalCertificate = localCertificate;
        RemoteCertificate = remoteCertificate;
    }

    public SecurityPolicy Policy { get; }

    public MessageSecurityMode Mode { get; }

    public X509Certificate2 LocalCertificate { get; }

    public X509Certificate2? RemoteCertificate { get; set; }

    public bool Signs => Mode is MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt;

    public bool Encrypts => Mode == MessageSecurityMode.SignAndEncrypt;

    private RSA LocalKey => LocalCertificate.GetRSAPrivateKey() ?? throw new OpcUaException(StatusCode.BadSecurityChecksFailed, "The application certificate has no RSA private key.");

    private RSA RemoteKey => RemoteCertificate?.GetRSAPublicKey() ?? throw new OpcUaException(StatusCode.BadSecurityChecksFailed, "The peer certificate has no RSA key.");

    /// <summary>Installs the keys of a token: what we send is secured with keys from (their nonce, our nonce).</summary>
    public void InstallToken(uint tokenId, byte[] localNonce, byte[] remoteNonce)
    {
        var send = Policy.DeriveKeys(remoteNonce, localNonce);
        var receive = Policy.DeriveKeys(localNonce, remoteNonce);
        _keys[tokenId] = (send, receive);
        foreach (var old in _keys.Keys.Where(k => k < tokenId - 1).ToArray())
        {
            _keys.TryRemove(old, out _);
        }
    }

    public int AsymmetricSecurityHeaderSize => 4 + Policy.Uri.Length + 4 + LocalCertificate.RawData.Length + 4 + 20;

    public void WriteAsymmetricSecurityHeader(Span<byte> destination)
    {
        var offset = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination, Policy.Uri.Length);
        offset += 4;
        offset += System.Text.Encoding.ASCII.GetBytes(Policy.Uri, destination[offset..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], LocalCertificate.RawData.Length);
        offset += 4;
        LocalCertificate.RawData.CopyTo(destination[offset..]);
        offset += LocalCertificate.RawData.Length;
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], 20);
        SecurityPolicy.Thumbprint(RemoteCertificate!).CopyTo(destination[(offset + 4)..]);
    }

    /// <summary>The largest body that fits in one asymmetric chunk of <paramref name="chunkSize"/> bytes.</summary>
    public int MaxAsymmetricBody(int chunkSize)
    {
        var remote = RemoteKey;
        var prefix = UaTcpHeader.Size + 4 + AsymmetricSecurityHeaderSize;
        var blocks = (chunkSize - prefix) / SecurityPolicy.AsymmetricCipherBlockSize(remote);
        var extra = SecurityPolicy.AsymmetricCipherBlockSize(remote) > 256 ? 1 : 0;
        return (blocks * SecurityPolicy.AsymmetricPlainBlockSize(remote)) - 8 - (LocalKey.KeySize / 8) - 1 - extra;
    }

    public int MaxSymmetricBody(int chunkSize)
    {
        var available = chunkSize - UaTcpHeader.Size - 8;
        if (!Signs)
        {
            return available - 8;
        }

        if (!Encrypts)
        {
            return available - 8 - SecurityPolicy.SymmetricSignatureSize;
        }

        return (available / SecurityPolicy.SymmetricBlockSize * SecurityPolicy.SymmetricBlockSize) - 8 - SecurityPolicy.SymmetricSignatureSize - 1;
    }

    /// <summary>Builds a secured asymmetric chunk from its prefix (header + channel + security header) and plain part (sequence header + body).</summary>
    public byte[] SecureAsymmetric(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> plain)
    {
        var remote = RemoteKey;
        var local = LocalKey;
        var plainBlock = SecurityPolicy.AsymmetricPlainBlockSize(remote);
        var cipherBlock = SecurityPolicy.AsymmetricCipherBlockSize(remote);
        var signatureSize = local.KeySize / 8;
        var extra = cipherBlock > 256;
        var unpadded = plain.Length + 1 + (extra ? 1 : 0) + signatureSize;
        var padding = (plainBlock - (unpadded % plainBlock)) % plainBlock;
        var paddingTotal = 1 + padding + (extra ? 1 : 0);
        var plainLength = plain.Length + paddingTotal + signatureSize;
        var encryptedLength = plainLength / plainBlock * cipherBlock;
        var signed = new byte[prefix.Length + plainLength - signatureSize];
        prefix.CopyTo(signed);
        BinaryPrimitives.WriteUInt32LittleEndian(signed.AsSpan(4), (uint)(prefix.Length + encryptedLength));
        plain.CopyTo(signed.AsSpan(prefix.Length));
        var pad = signed.AsSpan(prefix.Length + plain.Length, paddingTotal);
        pad.Fill((byte)(padding & 0xFF));
        if (extra)
        {
            pad[^1] = (byte)(padding >> 8);
        }

        var signature = SecurityPolicy.AsymmetricSign(local, signed);
        byte[] toEncrypt = [.. signed.AsSpan(prefix.Length), .. signature];
        var encrypted = SecurityPolicy.AsymmetricEncrypt(remote, toEncrypt);
        return [.. signed.AsSpan(0, prefix.Length), .. encrypted];
    }

    /// <summary>Decrypts and verifies an asymmetric chunk; returns the plain sequence header + body.</summary>
    public byte[] UnsecureAsymmetric(ReadOnlySpan<byte> chunk, int prefixLength)
    {
        var local = LocalKey;
        var remote = RemoteKey;
        var plain = SecurityPolicy.AsymmetricDecrypt(local, chunk[prefixLength..]);
        var signatureSize = remote.KeySize / 8;
        if (plain.Length < 8 + signatureSize + 1)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Asymmetric chunk too short.");
        }

        byte[] signedPart = [.. chunk[..prefixLength], .. plain.AsSpan(0, plain.Length - signatureSize)];
        if (!SecurityPolicy.AsymmetricVerify(remote, signedPart, plain.AsSpan(plain.Length - signatureSize)))
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Asymmetric signature is invalid.");
        }

        var extra = SecurityPolicy.AsymmetricCipherBlockSize(local) > 256;
        var end = plain.Length - signatureSize;
        int padding = plain[end - 1];
        var paddingTotal = padding + 1;
        if (extra)
        {
            padding = (plain[end - 1] << 8) | plain[end - 2];
            paddingTotal = padding + 2;
        }

        if (paddingTotal > end - 8)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Padding is longer than the message.");
        }

        return plain[..(end - paddingTotal)];
    }

    /// <summary>Secures a symmetric chunk in place of the returned array: prefix (header + channel + token) and plain (sequence header + body).</summary>
    public byte[] SecureSymmetric(uint tokenId, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> plain)
    {
        if (!Signs)
        {
            return [.. prefix, .. plain];
        }

        var keys = _keys[tokenId].Send;
        var padding = 0;
        var paddingTotal = 0;
        if (Encrypts)
        {
            var unpadded = plain.Length + 1 + SecurityPolicy.SymmetricSignatureSize;
            padding = (SecurityPolicy.SymmetricBlockSize - (unpadded % SecurityPolicy.SymmetricBlockSize)) % SecurityPolicy.SymmetricBlockSize;
            paddingTotal = padding + 1;
        }

        var total = prefix.Length + plain.Length + paddingTotal + SecurityPolicy.SymmetricSignatureSize;
        var chunk = new byte[total];
        prefix.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)total);
        plain.CopyTo(chunk.AsSpan(prefix.Length));
        chunk.AsSpan(prefix.Length + plain.Length, paddingTotal).Fill((byte)padding);
        var signature = keys.Sign(chunk.AsSpan(0, total - SecurityPolicy.SymmetricSignatureSize));
        signature.CopyTo(chunk.AsSpan(total - SecurityPolicy.SymmetricSignatureSize));
        if (Encrypts)
        {
            keys.Encrypt(chunk.AsSpan(prefix.Length));
        }

        return chunk;
    }

    /// <summary>Decrypts (in place) and verifies a symmetric chunk; returns the length of sequence header + body after the prefix.</summary>
    public int UnsecureSymmetric(uint tokenId, Span<byte> chunk, int prefixLength)
    {
        if (!Signs)
        {
            return chunk.Length - prefixLength;
        }

        if (!_keys.TryGetValue(tokenId, out var keys))
        {
            throw new OpcUaProtocolException(StatusCode.BadSecureChannelTokenUnknown, $"No keys for token {tokenId}.");
        }

        if (Encrypts)
        {
            keys.Receive.Decrypt(chunk[prefixLength..]);
        }

        var signatureAt = chunk.Length - SecurityPolicy.SymmetricSignatureSize;
        if (signatureAt < prefixLength + 8 || !keys.Receive.Verify(chunk[..signatureAt], chunk[signatureAt..]))
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Message signature is invalid.");
        }

        var end = signatureAt;
        if (Encrypts)
        {
            int padding = chunk[end - 1];
            if (padding + 1 > end - prefixLength - 8)
            {
                throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Padding is longer than the message.");
            }

            for (var i = end - padding - 1; i < end; i++)
            {
                if (chunk[i] != padding)
                {
                    throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "Padding bytes are inconsistent.");
                }
            }

            end -= padding + 1;
        }

        return end - prefixLength;
    }

    public byte[] NewNonce() => RandomNumberGenerator.GetBytes(Policy.NonceLength);

    /// <summary>CreateSession/ActivateSession proof (OPC 10000-4 §5.6.2): RSA-SHA256 over certificate + nonce.</summary>
    public SignatureData SignProof(byte[]? certificate, byte[]? nonce) =>
        new(SecurityPolicy.RsaSha256SignatureUri, SecurityPolicy.AsymmetricSign(LocalKey, [.. certificate ?? [], .. nonce ?? []]));

    public bool VerifyProof(SignatureData signature, byte[]? certificate, byte[]? nonce) =>
        signature.Signature is not null && SecurityPolicy.AsymmetricVerify(RemoteKey, [.. certificate ?? [], .. nonce ?? []], signature.Signature);
}
