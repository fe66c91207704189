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

    /// <summary>Publish requests kept outstanding while subscriptions exist (OPC 10000-4 §5.13.5).</summary>
    public int PublishRequests { get; init; } = 3;

    public void Validate()
    {
        _ = ClientSecureChannel.ParseEndpoint(EndpointUrl);
        if (PublishRequests < 1 || SessionTimeout <= 0 || RequestTimeout <= TimeSpan.Zero || ReconnectDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PublishRequests), "Limits must be positive.");
        }
    }
}

/// <summary>The server's operation limits as read from Server/ServerCapabilities/OperationLimits (OPC 10000-5 §6.3.11); 0 is no limit.</summary>
public sealed record OperationLimits(uint MaxNodesPerRead, uint MaxNodesPerWrite, uint MaxNodesPerBrowse, uint MaxNodesPerTranslateBrowsePathsToNodeIds, uint MaxMonitoredItemsPerCall)
{
    public static readonly OperationLimits None = new(0, 0, 0, 0, 0);
}

/// <summary>Where the client stands with its server.</summary>
public enum ConnectionState
{
    Disconnected,
    Connected,
    Reconnecting,
    Closed,
}
