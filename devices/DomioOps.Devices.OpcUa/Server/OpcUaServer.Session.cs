using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Session service set (OPC 10000-4 §5.6): CreateSession, ActivateSession, CloseSession and the sessions' timeouts.</summary>
public sealed partial class OpcUaServer
{
    private ServerSession RequireSession(ServerConnection connection, RequestHeader header)
    {
        if (!_sessions.TryGetValue(header.AuthenticationToken, out var session))
        {
            throw new OpcUaException(StatusCode.BadSessionIdInvalid, "Unknown session.");
        }

        if (!session.Activated)
        {
            throw new OpcUaException(StatusCode.BadSessionNotActivated, "Session not activated.");
        }

        if (session.Connection != connection)
        {
            throw new OpcUaException(StatusCode.BadSecureChannelIdInvalid, "Session belongs to another channel.");
        }

        session.LastActivity = Time.GetUtcNow();
        return session;
    }

    private CreateSessionResponse CreateSession(ServerConnection connection, CreateSessionRequest create, DateTime now)
    {
        if (_sessions.Count >= Options.MaxSessions)
        {
            throw new OpcUaException(StatusCode.BadTooManySessions, "Too many sessions.");
        }

        var n = Interlocked.Increment(ref _sessionCounter);
        NodeId sessionId = new(1, $"Session{n}");
        NodeId token = new(1, RandomNumberGenerator.GetBytes(32));
        var timeout = double.IsNaN(create.RequestedSessionTimeout) ? 60_000 : Math.Clamp(create.RequestedSessionTimeout, Options.MinSessionTimeout.TotalMilliseconds, 3_600_000);
        ServerSession session = new(this, sessionId, token, create.SessionName, timeout, connection) { ServerNonce = RandomNumberGenerator.GetBytes(32), ClientCertificate = create.ClientCertificate };
        var security = connection.Security;
        var signature = SignatureData.Empty;
        if (security is not null)
        {
            if (create.ClientCertificate is null || !create.ClientCertificate.AsSpan().SequenceEqual(security.RemoteCertificate!.RawData))
            {
                throw new OpcUaException(StatusCode.BadSecurityChecksFailed, "The session's client certificate differs from the channel's.");
            }

            signature = security.SignProof(create.ClientCertificate, create.ClientNonce);
        }

        _sessions[token] = session;
        return new CreateSessionResponse(ResponseHeader.For(create.RequestHeader, now), sessionId, token, timeout, session.ServerNonce, Certificate?.RawData, Endpoints(), signature, Options.TransportLimits.MaxMessageSize);
    }

    private ActivateSessionResponse ActivateSession(ServerConnection connection, ActivateSessionRequest activate, DateTime now)
    {
        if (!_sessions.TryGetValue(activate.RequestHeader.AuthenticationToken, out var session))
        {
            throw new OpcUaException(StatusCode.BadSessionIdInvalid, "Unknown session.");
        }

        var channelSecurity = connection.Security;
        if (channelSecurity is not null && !channelSecurity.VerifyProof(activate.ClientSignature, Certificate!.RawData, session.ServerNonce))
        {
            throw new OpcUaException(StatusCode.BadApplicationSignatureInvalid, "The client signature is invalid.");
        }

        switch (activate.UserIdentityToken.Body)
        {
            case null or AnonymousIdentityToken when Options.AllowAnonymous:
                session.UserName = null;
                break;
            case UserNameIdentityToken user when user.UserName is not null
                && Options.Users.TryGetValue(user.UserName, out var password)
                && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(password), PasswordOf(user, session)):
                session.UserName = user.UserName;
                break;
            case UserNameIdentityToken:
                throw new OpcUaException(StatusCode.BadUserAccessDenied, "User name or password rejected.");
            default:
                throw new OpcUaException(StatusCode.BadIdentityTokenInvalid, "Identity token not accepted.");
        }

        session.Connection = connection;
        session.Activated = true;
        session.LastActivity = Time.GetUtcNow();
        session.ServerNonce = RandomNumberGenerator.GetBytes(32);
        return new ActivateSessionResponse(ResponseHeader.For(activate.RequestHeader, now), session.ServerNonce, []);
    }

    /// <summary>The password of a user name token: plain, or decrypted per OPC 10000-4 §7.41.2.2 (length | password | server nonce).</summary>
    private byte[] PasswordOf(UserNameIdentityToken token, ServerSession session)
    {
        if (token.EncryptionAlgorithm is null)
        {
            return token.Password ?? [];
        }

        if (token.EncryptionAlgorithm != SecurityPolicy.RsaOaepEncryptionUri || Certificate is null)
        {
            throw new OpcUaException(StatusCode.BadIdentityTokenInvalid, $"Password encryption '{token.EncryptionAlgorithm}' is not supported.");
        }

        byte[] plain;
        try
        {
            plain = SecurityPolicy.AsymmetricDecrypt(Certificate.GetRSAPrivateKey()!, token.Password ?? []);
        }
        catch (OpcUaProtocolException)
        {
            throw new OpcUaException(StatusCode.BadIdentityTokenInvalid, "The password cannot be decrypted.");
        }

        var length = plain.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(plain) : -1;
        var nonce = session.ServerNonce ?? [];
        if (length < nonce.Length || length != plain.Length - 4 || !plain.AsSpan(4 + length - nonce.Length).SequenceEqual(nonce))
        {
            throw new OpcUaException(StatusCode.BadIdentityTokenInvalid, "The password secret does not end with the server nonce.");
        }

        return plain[4..(4 + length - nonce.Length)];
    }

    /// <summary>CloseSession (OPC 10000-4 §5.6.4): the session ends; its subscriptions end with it when the client asks so.</summary>
    private CloseSessionResponse CloseSession(ServerSession session, CloseSessionRequest close, DateTime now)
    {
        if (_sessions.TryRemove(session.AuthenticationToken, out _))
        {
            foreach (var id in session.Close(close.DeleteSubscriptions))
            {
                _subscriptions.TryRemove(id, out _);
            }
        }

        return new CloseSessionResponse(ResponseHeader.For(close.RequestHeader, now));
    }

    /// <summary>
    /// A session whose client fell silent for its timeout is closed; its subscriptions live on until their own lifetime
    /// expires, so that the client can take them over with TransferSubscriptions (OPC 10000-4 §5.13.7).
    /// </summary>
    private void SweepSessions()
    {
        var now = Time.GetUtcNow();
        foreach (var session in _sessions.Values)
        {
            if ((now - session.LastActivity).TotalMilliseconds > session.Timeout && _sessions.TryRemove(session.AuthenticationToken, out _))
            {
                session.Close(deleteSubscriptions: false);
            }
        }
    }
}
