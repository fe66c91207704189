using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>Settings of an <see cref="OpcUaClient"/>.</summary>
public sealed record OpcUaClientOptions
{
    public required string EndpointUrl { get; init; }

    public string ApplicationUri { get; init; } = "urn:domioops:opcua:client";

    public string ApplicationName { get; init; } = "DomioOps OPC UA Client";

    public string SessionName { get; init; } = "DomioOps";

    public double SessionTimeout { get; init; } = 60_000;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>User name for a UserNameIdentityToken; null means anonymous.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    public TransportLimits TransportLimits { get; init; } = TransportLimits.Default;

    /// <summary>Requested secure channel token lifetime in milliseconds; the token is renewed at 75 % of the revised value.</summary>
    public uint SecureChannelLifetime { get; init; } = 600_000;

    /// <summary>Re-establish the connection, session and subscriptions after a loss.</summary>
    public bool AutoReconnect { get; init; } = true;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SecurityPolicy of the channel: None, Basic256Sha256 or Aes128_Sha256_RsaOaep (see <see cref="Security.SecurityPolicy"/>).</summary>
    public string SecurityPolicyUri { get; init; } = Security.SecurityPolicy.NoneUri;

    public MessageSecurityMode SecurityMode { get; init; } = MessageSecurityMode.None;

    /// <summary>The client's PKI folder: its own certificate (created on first use) and the server certificates the operator trusts.</summary>
    public Security.CertificateStore? Certificates { get; init; }

    /// <summary>
    /// Reverse Connect (OPC 10000-6 §7.1.3): listen on this opc.tcp URL (host and port) for servers that dial in with
    /// ReverseHello, instead of dialling <see cref="EndpointUrl"/> (which still names the server's endpoint in Hello and
    /// CreateSession). Every channel — also a discovery channel and each reconnection — waits for the next dial-in.
    /// </summary>
    public string? ReverseConnectUrl { get; init; }

    /// <summary>With <see cref="ReverseConnectUrl"/>: accept only a ReverseHello whose ServerUri is this; null accepts any.</summary>
    public string? ReverseConnectServerUri { get; init; }

    /// <summary>Publish requests kept outstanding while subscriptions exist (OPC 10000-4 §5.13.5).</summary>
    public int PublishRequests { get; init; } = 3;

    /// <summary>
    /// How long a subscription holds back NotificationMessages behind a missing sequence number (a response still on its
    /// way, or lost) before it tries Republish and then declares the rest lost and delivers on.
    /// </summary>
    public TimeSpan NotificationGapTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public void Validate()
    {
        _ = ClientSecureChannel.ParseEndpoint(EndpointUrl);
        var policy = Security.SecurityPolicy.FromUri(SecurityPolicyUri) ?? throw new ArgumentException($"Unsupported security policy {SecurityPolicyUri}.", nameof(SecurityPolicyUri));
        if (policy.IsNone != (SecurityMode == MessageSecurityMode.None) || SecurityMode == MessageSecurityMode.Invalid)
        {
            throw new ArgumentException("SecurityMode None goes with SecurityPolicy None only.", nameof(SecurityMode));
        }

        if (!policy.IsNone && Certificates is null)
        {
            throw new ArgumentException("A secured channel needs a certificate store.", nameof(Certificates));
        }

        if (ReverseConnectUrl is not null)
        {
            _ = ClientSecureChannel.ParseEndpoint(ReverseConnectUrl);
        }

        if (PublishRequests < 1 || SessionTimeout <= 0 || RequestTimeout <= TimeSpan.Zero || ReconnectDelay <= TimeSpan.Zero || NotificationGapTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PublishRequests), "Limits must be positive.");
        }
    }
}

/// <summary>
/// The server's limits as read from Server/ServerCapabilities/OperationLimits (OPC 10000-5 §6.3.11) and
/// Server/ServerCapabilities/MaxSubscriptionsPerSession; 0 is no limit (or a server that does not say).
/// </summary>
public sealed record OperationLimits(uint MaxNodesPerRead, uint MaxNodesPerWrite, uint MaxNodesPerBrowse, uint MaxNodesPerTranslateBrowsePathsToNodeIds, uint MaxMonitoredItemsPerCall)
{
    public static readonly OperationLimits None = new(0, 0, 0, 0, 0);

    public uint MaxNodesPerRegisterNodes { get; init; }

    public uint MaxSubscriptionsPerSession { get; init; }

    public uint MaxNodesPerMethodCall { get; init; }
}

/// <summary>Where the client stands with its server.</summary>
public enum ConnectionState
{
    Disconnected,
    Connected,
    Reconnecting,
    Closed,
}
