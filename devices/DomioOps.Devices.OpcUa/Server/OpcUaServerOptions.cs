using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Settings of an <see cref="OpcUaServer"/>. Port 0 takes a free port on <see cref="Host"/>.</summary>
public sealed record OpcUaServerOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 4840;

    public string ApplicationUri { get; init; } = "urn:domioops:opcua:server";

    public string ProductUri { get; init; } = "urn:domioops:opcua";

    public string ApplicationName { get; init; } = "DomioOps OPC UA Server";

    public TransportLimits TransportLimits { get; init; } = TransportLimits.Default;

    public bool AllowAnonymous { get; init; } = true;

    /// <summary>User name → password accepted by ActivateSession; empty disables user name tokens.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    public double MinPublishingInterval { get; init; } = 20;

    public double MinSamplingInterval { get; init; } = 10;

    public int MaxSessions { get; init; } = 100;

    public int MaxSubscriptionsPerSession { get; init; } = 100;

    public uint MaxMonitoredItemsPerCall { get; init; } = 10_000;

    public uint MaxNodesPerRead { get; init; } = 10_000;

    public uint MaxNodesPerWrite { get; init; } = 10_000;

    public uint MaxNodesPerMethodCall { get; init; } = 10_000;

    public uint MaxNodesPerBrowse { get; init; } = 1_000;

    public uint MaxReferencesPerNode { get; init; } = 1_000;

    public int MaxQueuedPublishRequests { get; init; } = 10;

    public uint MaxQueueSize { get; init; } = 1_000;

    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reverse Connect (OPC 10000-6 §7.1.3): opc.tcp URLs of clients' listeners that this server dials, sending ReverseHello,
    /// for clients that cannot reach it (a machine behind a firewall with no inbound ports). Empty: none.
    /// </summary>
    public IReadOnlyList<string> ReverseConnect { get; init; } = [];

    /// <summary>How long to wait before dialling a reverse-connect client again after a connection ended or a dial failed.</summary>
    public TimeSpan ReverseConnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The shortest session timeout granted; a session silent for its timeout is closed (its subscriptions stay transferable).</summary>
    public TimeSpan MinSessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The endpoints offered: (SecurityPolicy URI, mode) pairs; None/None alone by default.</summary>
    public IReadOnlyList<(string PolicyUri, MessageSecurityMode Mode)> Endpoints { get; init; } = [(Security.SecurityPolicy.NoneUri, MessageSecurityMode.None)];

    /// <summary>The server's PKI folder: its certificate (created on first start) and the client certificates an operator trusts.</summary>
    public Security.CertificateStore? Certificates { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port));
        }

        if (TransportLimits.ReceiveBufferSize < TransportLimits.MinBufferSize || TransportLimits.SendBufferSize < TransportLimits.MinBufferSize)
        {
            throw new ArgumentOutOfRangeException(nameof(TransportLimits), "Buffers must be at least 8192 bytes.");
        }

        foreach (var url in ReverseConnect)
        {
            _ = ClientSecureChannel.ParseEndpoint(url);
        }

        foreach ((var policyUri, var mode) in Endpoints)
        {
            var policy = Security.SecurityPolicy.FromUri(policyUri) ?? throw new ArgumentException($"Unsupported security policy {policyUri}.", nameof(Endpoints));
            if (policy.IsNone != (mode == MessageSecurityMode.None) || mode == MessageSecurityMode.Invalid || (!policy.IsNone && Certificates is null))
            {
                throw new ArgumentException($"Endpoint {policyUri} {mode} is inconsistent or lacks a certificate store.", nameof(Endpoints));
            }
        }

        if (MinPublishingInterval <= 0 || MinSessionTimeout <= TimeSpan.Zero || ReverseConnectDelay <= TimeSpan.Zero || MinSamplingInterval < 0 || MaxSessions < 1 || MaxSubscriptionsPerSession < 1 || MaxQueuedPublishRequests < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinPublishingInterval), "Limits must be positive.");
        }
    }
}
