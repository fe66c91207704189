using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// SecureChannel service set (OPC 10000-4 §5.5): the server's part in opening a channel; the channel itself (OpenSecureChannel,
/// CloseSecureChannel, tokens) is run by each <see cref="ServerConnection"/>.
/// </summary>
public sealed partial class OpcUaServer
{
    internal uint NextChannelId() => (uint)Interlocked.Increment(ref _channelId);

    /// <summary>Server side of the first secured OPN: the policy must be offered and the client certificate trusted.</summary>
    internal ChannelSecurity AcceptChannel(string policyUri, byte[]? senderCertificate)
    {
        var policy = SecurityPolicy.FromUri(policyUri);
        if (policy is null || policy.IsNone || !Options.Endpoints.Any(e => e.PolicyUri == policyUri))
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityPolicyRejected, $"SecurityPolicy '{policyUri}' is not offered.");
        }

        if (senderCertificate is null || Certificate is null)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "The OPN carries no client certificate.");
        }

        X509Certificate2 client;
        try
        {
            client = X509CertificateLoader.LoadCertificate(senderCertificate);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, $"The client certificate cannot be parsed: {ex.Message}");
        }

        try
        {
            Options.Certificates!.Validate(client);
        }
        catch (OpcUaException ex)
        {
            // The operator reads why in the log; the client only learns that the checks failed (OPC 10000-4 §5.5.2).
            LogClientCertificateRejected(_logger, client.Subject, ex.StatusCode, ex.Message);
            throw new OpcUaProtocolException(StatusCode.BadSecurityChecksFailed, "The client certificate is not accepted.");
        }

        return new ChannelSecurity(policy, MessageSecurityMode.SignAndEncrypt, Certificate, client);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA client certificate {Subject} rejected ({Status}): {Reason}")]
    private static partial void LogClientCertificateRejected(ILogger logger, string subject, StatusCode status, string reason);
}
