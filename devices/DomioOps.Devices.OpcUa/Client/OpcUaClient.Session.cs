using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>Session service set (OPC 10000-4 §5.6): activating and closing the session, and what the client reads once a session is up.</summary>
public sealed partial class OpcUaClient
{
    private async Task ActivateAsync(EndpointDescription endpoint, CancellationToken cancellationToken)
    {
        var security = Channel.Security;
        ExtensionObject identity;
        if (Options.UserName is null)
        {
            var policy = endpoint.UserIdentityTokens.FirstOrDefault(p => p.TokenType == UserTokenType.Anonymous)
                ?? throw new OpcUaException(StatusCode.BadIdentityTokenRejected, "The server does not accept anonymous users.");
            identity = new ExtensionObject(new NodeId(0, BinaryEncodingIds.AnonymousIdentityToken_Encoding_DefaultBinary), new AnonymousIdentityToken(policy.PolicyId));
        }
        else
        {
            var policy = endpoint.UserIdentityTokens.FirstOrDefault(p => p.TokenType == UserTokenType.UserName)
                ?? throw new OpcUaException(StatusCode.BadIdentityTokenRejected, "The server offers no user name policy.");
            var password = System.Text.Encoding.UTF8.GetBytes(Options.Password ?? string.Empty);
            var tokenPolicyUri = string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? SecurityPolicy.NoneUri : policy.SecurityPolicyUri;
            if (tokenPolicyUri == SecurityPolicy.NoneUri)
            {
                identity = new ExtensionObject(new NodeId(0, BinaryEncodingIds.UserNameIdentityToken_Encoding_DefaultBinary), new UserNameIdentityToken(policy.PolicyId, Options.UserName, password, null));
            }
            else
            {
                // OPC 10000-4 §7.41.2.2 legacy secret: RSA-OAEP(server key, length UInt32 | password | server nonce).
                using var serverCertificate = X509CertificateLoader.LoadCertificate(_serverCertificate ?? endpoint.ServerCertificate.ToArray());
                var nonce = _serverNonce ?? [];
                var plain = new byte[4 + password.Length + nonce.Length];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(plain, password.Length + nonce.Length);
                password.CopyTo(plain, 4);
                nonce.CopyTo(plain, 4 + password.Length);
                var secret = SecurityPolicy.AsymmetricEncrypt(serverCertificate.GetRSAPublicKey()!, plain);
                identity = new ExtensionObject(new NodeId(0, BinaryEncodingIds.UserNameIdentityToken_Encoding_DefaultBinary), new UserNameIdentityToken(policy.PolicyId, Options.UserName, secret, SecurityPolicy.RsaOaepEncryptionUri));
            }
        }

        var clientSignature = security is null ? SignatureData.Empty : security.SignProof(_serverCertificate ?? security.RemoteCertificate!.RawData, _serverNonce);
        ActivateSessionRequest activate = new(Header(_authenticationToken), clientSignature, ["en"], identity, SignatureData.Empty);
        var activated = await Channel.RequestAsync<ActivateSessionResponse>(activate, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        _serverNonce = activated.ServerNonce ?? _serverNonce;
    }

    private async Task ReadServerFactsAsync(CancellationToken cancellationToken)
    {
        NodeId[] ids = [WellKnownNodes.NamespaceArray, WellKnownNodes.MaxNodesPerRead, WellKnownNodes.MaxNodesPerWrite, WellKnownNodes.MaxNodesPerBrowse, WellKnownNodes.MaxNodesPerTranslateBrowsePathsToNodeIds, WellKnownNodes.MaxMonitoredItemsPerCall,
            WellKnownNodes.MaxNodesPerRegisterNodes, WellKnownNodes.MaxSubscriptionsPerSession, WellKnownNodes.MaxNodesPerMethodCall];
        var read = await RequestAsync<ReadResponse>(new ReadRequest(Header(_authenticationToken), 0, TimestampsToReturn.Neither, [.. ids.Select(id => new ReadValueId(id))]), cancellationToken).ConfigureAwait(false);
        if (read.Results.Count != ids.Length)
        {
            return;
        }

        NamespaceUris = read.Results[0].Value.Value as string[] ?? [];
        uint Limit(int i) => read.Results[i].StatusCode.IsGood && read.Results[i].Value.Value is uint v ? v : 0;
        OperationLimits = new OperationLimits(Limit(1), Limit(2), Limit(3), Limit(4), Limit(5)) { MaxNodesPerRegisterNodes = Limit(6), MaxSubscriptionsPerSession = Limit(7), MaxNodesPerMethodCall = Limit(8) };
    }

    /// <summary>The namespace index of a URI in the server's NamespaceArray, or -1.</summary>
    public int NamespaceIndexOf(string uri) => NamespaceUris is IList<string> list ? list.IndexOf(uri) : NamespaceUris.ToList().IndexOf(uri);

    /// <summary>Closes the session (deleting its subscriptions) and the channel.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        var channel = _channel;
        if (channel is not null && !channel.Closed.IsCompleted)
        {
            try
            {
                await channel.RequestAsync<CloseSessionResponse>(new CloseSessionRequest(Header(_authenticationToken), true), TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            catch (OpcUaException)
            {
            }
        }

        await DisposeChannelAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: the old session is gone, created session {SessionId}")]
    private static partial void LogSessionRecreated(ILogger logger, string endpoint, NodeId sessionId);
}
