using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// An OPC UA client over UA TCP with SecurityPolicy None: one secure channel and one session, the view, attribute,
/// subscription and monitored item services, a publish loop, and self-healing — after a lost connection it reopens the
/// channel, reactivates the session or creates a new one, and recreates lost subscriptions item by item.
/// </summary>
public sealed partial class OpcUaClient : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ReverseConnectListener? _reverse;
    private readonly Lock _gate = new();
    private readonly List<OpcUaSubscription> _subscriptions = [];
    private readonly ConcurrentQueue<SubscriptionAcknowledgement> _acks = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Func<ReadOnlySpan<byte>, EncodingLimits, IServiceResponse?> _publishResponseReader;
    private ClientSecureChannel? _channel;
    private NodeId _authenticationToken = NodeId.Null;
    private CancellationTokenSource? _publishStop;
    private Task? _reconnectTask;
    private int _requestHandle;
    private int _clientHandle;
    private int _publishLoops;

    public OpcUaClient(OpcUaClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        options.Validate();
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _publishResponseReader = ReadPublishResponse;
    }

    public OpcUaClientOptions Options { get; }

    public ConnectionState State { get; private set; } = ConnectionState.Disconnected;

    /// <summary>Raised after every state change (on a background thread).</summary>
    public event Action<OpcUaClient, ConnectionState>? StateChanged;

    public NodeId SessionId { get; private set; } = NodeId.Null;

    public OperationLimits OperationLimits { get; private set; } = OperationLimits.None;

    public IReadOnlyList<string> NamespaceUris { get; private set; } = [];

    /// <summary>Successful reconnections since the first connect.</summary>
    public int Reconnects { get; private set; }

    /// <summary>New sessions created after the first one was lost (the server did not know the old one any more).</summary>
    public int SessionRecreations { get; private set; }

    /// <summary>Subscriptions taken over by a new session with TransferSubscriptions instead of being recreated.</summary>
    public int SubscriptionTransfers { get; private set; }

    /// <summary>How many times the current channel renewed its security token.</summary>
    public int TokenRenewals => _channel?.TokenRenewals ?? 0;

    public IReadOnlyList<OpcUaSubscription> Subscriptions
    {
        get
        {
            lock (_gate)
            {
                return [.. _subscriptions];
            }
        }
    }

    private ClientSecureChannel Channel => _channel ?? throw new OpcUaException(StatusCode.BadServerNotConnected, "Not connected.");

    /// <summary>Opens the channel, creates and activates the session and reads the server's operation limits.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (Options.ReverseConnectUrl is not null)
        {
            _reverse ??= new ReverseConnectListener(Options.ReverseConnectUrl, Options.ReverseConnectServerUri);
        }

        await EstablishAsync(reuseSession: false, cancellationToken).ConfigureAwait(false);
        SetState(ConnectionState.Connected);
    }

    private void SetState(ConnectionState state)
    {
        State = state;
        StateChanged?.Invoke(this, state);
    }

    private X509Certificate2? _ownCertificate;
    private byte[]? _serverNonce;
    private byte[]? _serverCertificate;

    /// <summary>For a secured policy: the endpoint (with the server certificate) comes from GetEndpoints on a None channel.</summary>
    private async Task<(EndpointDescription Endpoint, ChannelSecurity? Security)> DiscoverAsync(CancellationToken cancellationToken)
    {
        SecurityPolicy policy = SecurityPolicy.FromUri(Options.SecurityPolicyUri)!;
        if (policy.IsNone)
        {
            return (null!, null);
        }

        _ownCertificate ??= Options.Certificates!.LoadOrCreateApplicationCertificate(Options.ApplicationUri, Options.ApplicationName);
        await using ClientSecureChannel discovery = await ClientSecureChannel.OpenAsync(Options.EndpointUrl, Options.TransportLimits, Options.SecureChannelLifetime, _time, cancellationToken, reverse: _reverse).ConfigureAwait(false);
        GetEndpointsResponse endpoints = await discovery.RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        EndpointDescription endpoint = endpoints.Endpoints.FirstOrDefault(e => e.SecurityMode == Options.SecurityMode && e.SecurityPolicyUri == policy.Uri)
            ?? throw new OpcUaException(StatusCode.BadSecurityPolicyRejected, $"The server offers no endpoint with {policy.Uri} and {Options.SecurityMode}.");
        X509Certificate2 serverCertificate = X509CertificateLoader.LoadCertificate(endpoint.ServerCertificate.Span);
        try
        {
            Options.Certificates!.Validate(serverCertificate);
        }
        catch (OpcUaException ex)
        {
            LogServerCertificateRejected(_logger, Options.EndpointUrl, serverCertificate.Subject, ex.StatusCode, ex.Message);
            throw;
        }

        return (endpoint, new ChannelSecurity(policy, Options.SecurityMode, _ownCertificate, serverCertificate));
    }

    private async Task EstablishAsync(bool reuseSession, CancellationToken cancellationToken)
    {
        (EndpointDescription? securedEndpoint, ChannelSecurity? security) = await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        ClientSecureChannel channel = await ClientSecureChannel.OpenAsync(Options.EndpointUrl, Options.TransportLimits, Options.SecureChannelLifetime, _time, cancellationToken, security, _reverse).ConfigureAwait(false);
        channel.PublishResponseReader = _publishResponseReader;
        try
        {
            _channel = channel;
            EndpointDescription endpoint = securedEndpoint ?? (await Channel.RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), Options.RequestTimeout, cancellationToken).ConfigureAwait(false))
                .Endpoints.FirstOrDefault(e => e.SecurityMode == MessageSecurityMode.None && e.SecurityPolicyUri == SecurityPolicy.NoneUri)
                ?? throw new OpcUaException(StatusCode.BadSecurityPolicyRejected, "The server offers no endpoint with SecurityPolicy None.");

            bool reactivated = false;
            bool hadSession = !_authenticationToken.IsNull;
            if (reuseSession && hadSession)
            {
                try
                {
                    await ActivateAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    reactivated = true;
                }
                catch (OpcUaException ex) when (ex.StatusCode != StatusCode.BadConnectionClosed && ex.StatusCode != StatusCode.BadTimeout)
                {
                    _authenticationToken = NodeId.Null;
                }
            }

            if (!reactivated)
            {
                ApplicationDescription client = new(Options.ApplicationUri, "urn:domioops:opcua", new LocalizedText(Options.ApplicationName), ApplicationType.Client);
                byte[] clientNonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
                CreateSessionRequest create = new(Header(NodeId.Null), client, null, Options.EndpointUrl, Options.SessionName, clientNonce, security?.LocalCertificate.RawData, Options.SessionTimeout, Options.TransportLimits.MaxMessageSize);
                CreateSessionResponse created = await Channel.RequestAsync<CreateSessionResponse>(create, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (security is not null && !security.VerifyProof(created.ServerSignature, security.LocalCertificate.RawData, clientNonce))
                {
                    throw new OpcUaException(StatusCode.BadSecurityChecksFailed, "The server signature in CreateSession is invalid.");
                }

                _authenticationToken = created.AuthenticationToken;
                _serverNonce = created.ServerNonce;
                _serverCertificate = created.ServerCertificate;
                SessionId = created.SessionId;
                await ActivateAsync(endpoint, cancellationToken).ConfigureAwait(false);
                if (hadSession)
                {
                    SessionRecreations++;
                    OpcUaMetrics.SessionRecreations.Add(1);
                    LogSessionRecreated(_logger, Options.EndpointUrl, SessionId);
                }
            }

            await ReadServerFactsAsync(cancellationToken).ConfigureAwait(false);
            if (!reactivated)
            {
                await TransferSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (OpcUaSubscription subscription in Subscriptions)
            {
                if (subscription.Id == 0)
                {
                    try
                    {
                        await RecreateSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTooManySubscriptions)
                    {
                        // Beyond the server's MaxSubscriptionsPerSession: the others still come back; this one waits for the next session.
                    }
                }
            }

            _ = channel.Closed.ContinueWith(t => OnChannelClosed(channel, t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            RestartPublishing();
        }
        catch
        {
            if (_channel == channel)
            {
                _channel = null;
            }

            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ActivateAsync(EndpointDescription endpoint, CancellationToken cancellationToken)
    {
        ChannelSecurity? security = Channel.Security;
        ExtensionObject identity;
        if (Options.UserName is null)
        {
            UserTokenPolicy policy = endpoint.UserIdentityTokens.FirstOrDefault(p => p.TokenType == UserTokenType.Anonymous)
                ?? throw new OpcUaException(StatusCode.BadIdentityTokenRejected, "The server does not accept anonymous users.");
            identity = new ExtensionObject(new NodeId(0, 321u), new AnonymousIdentityToken(policy.PolicyId));
        }
        else
        {
            UserTokenPolicy policy = endpoint.UserIdentityTokens.FirstOrDefault(p => p.TokenType == UserTokenType.UserName)
                ?? throw new OpcUaException(StatusCode.BadIdentityTokenRejected, "The server offers no user name policy.");
            byte[] password = System.Text.Encoding.UTF8.GetBytes(Options.Password ?? string.Empty);
            string tokenPolicyUri = string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? SecurityPolicy.NoneUri : policy.SecurityPolicyUri;
            if (tokenPolicyUri == SecurityPolicy.NoneUri)
            {
                identity = new ExtensionObject(new NodeId(0, 324u), new UserNameIdentityToken(policy.PolicyId, Options.UserName, password, null));
            }
            else
            {
                // OPC 10000-4 §7.41.2.2 legacy secret: RSA-OAEP(server key, length UInt32 | password | server nonce).
                using X509Certificate2 serverCertificate = X509CertificateLoader.LoadCertificate(_serverCertificate ?? endpoint.ServerCertificate.ToArray());
                byte[] nonce = _serverNonce ?? [];
                byte[] plain = new byte[4 + password.Length + nonce.Length];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(plain, password.Length + nonce.Length);
                password.CopyTo(plain, 4);
                nonce.CopyTo(plain, 4 + password.Length);
                byte[] secret = SecurityPolicy.AsymmetricEncrypt(serverCertificate.GetRSAPublicKey()!, plain);
                identity = new ExtensionObject(new NodeId(0, 324u), new UserNameIdentityToken(policy.PolicyId, Options.UserName, secret, SecurityPolicy.RsaOaepEncryptionUri));
            }
        }

        SignatureData clientSignature = security is null ? SignatureData.Empty : security.SignProof(_serverCertificate ?? security.RemoteCertificate!.RawData, _serverNonce);
        ActivateSessionRequest activate = new(Header(_authenticationToken), clientSignature, ["en"], identity, SignatureData.Empty);
        ActivateSessionResponse activated = await Channel.RequestAsync<ActivateSessionResponse>(activate, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        _serverNonce = activated.ServerNonce ?? _serverNonce;
    }

    /// <summary>
    /// A new session takes over the subscriptions of the lost one (OPC 10000-4 §5.13.7) with SendInitialValues, and
    /// Republishes the messages that the old session's server sent but this client never received. A subscription the
    /// server does not know any more (it restarted, or the lifetime ran out) is left with id 0 to be recreated.
    /// </summary>
    private async Task TransferSubscriptionsAsync(CancellationToken cancellationToken)
    {
        List<OpcUaSubscription> held = [.. Subscriptions.Where(s => s.Id != 0)];
        if (held.Count == 0)
        {
            return;
        }

        TransferSubscriptionsResponse? response = null;
        try
        {
            response = await RequestAsync<TransferSubscriptionsResponse>(new TransferSubscriptionsRequest(Header(_authenticationToken), [.. held.Select(s => s.Id)], true), cancellationToken).ConfigureAwait(false);
        }
        catch (OpcUaException ex) when (!IsConnectionLost(ex.StatusCode))
        {
            // The server refuses the service as a whole (unsupported, or nothing to transfer): recreate everything.
        }

        for (int i = 0; i < held.Count; i++)
        {
            OpcUaSubscription subscription = held[i];
            TransferResult? result = response is not null && i < response.Results.Count ? response.Results[i] : null;
            if (result is null || result.StatusCode.IsBad)
            {
                LogSubscriptionNotTransferred(_logger, Options.EndpointUrl, subscription.Id, result?.StatusCode ?? StatusCode.BadServiceUnsupported);
                OpcUaMetrics.SubscriptionTransfers.Add(1, OpcUaMetrics.Result(transferred: false));
                subscription.Id = 0;
                continue;
            }

            SubscriptionTransfers++;
            OpcUaMetrics.SubscriptionTransfers.Add(1, OpcUaMetrics.Result(transferred: true));
            LogSubscriptionTransferred(_logger, Options.EndpointUrl, subscription.Id, result.AvailableSequenceNumbers.Count);
            foreach (uint sequence in result.AvailableSequenceNumbers.Order())
            {
                if (!subscription.HasDelivered(sequence))
                {
                    RepublishResponse republished = await RequestAsync<RepublishResponse>(new RepublishRequest(Header(_authenticationToken), subscription.Id, sequence), cancellationToken).ConfigureAwait(false);
                    subscription.DeliverRepublished(republished.NotificationMessage);
                }

                _acks.Enqueue(new SubscriptionAcknowledgement(subscription.Id, sequence));
            }
        }
    }

    private static bool IsConnectionLost(StatusCode status) =>
        status == StatusCode.BadConnectionClosed || status == StatusCode.BadSecureChannelClosed || status == StatusCode.BadTimeout;

    private static bool IsSessionLost(StatusCode status) =>
        status == StatusCode.BadSessionIdInvalid || status == StatusCode.BadSessionClosed || status == StatusCode.BadSessionNotActivated;

    private async Task ReadServerFactsAsync(CancellationToken cancellationToken)
    {
        NodeId[] ids = [WellKnownNodes.NamespaceArray, WellKnownNodes.MaxNodesPerRead, WellKnownNodes.MaxNodesPerWrite, WellKnownNodes.MaxNodesPerBrowse, WellKnownNodes.MaxNodesPerTranslateBrowsePathsToNodeIds, WellKnownNodes.MaxMonitoredItemsPerCall,
            WellKnownNodes.MaxNodesPerRegisterNodes, WellKnownNodes.MaxSubscriptionsPerSession, WellKnownNodes.MaxNodesPerMethodCall];
        ReadResponse read = await RequestAsync<ReadResponse>(new ReadRequest(Header(_authenticationToken), 0, TimestampsToReturn.Neither, [.. ids.Select(id => new ReadValueId(id))]), cancellationToken).ConfigureAwait(false);
        if (read.Results.Count != ids.Length)
        {
            return;
        }

        NamespaceUris = read.Results[0].Value.Value as string[] ?? [];
        uint Limit(int i) => read.Results[i].StatusCode.IsGood && read.Results[i].Value.Value is uint v ? v : 0;
        OperationLimits = new OperationLimits(Limit(1), Limit(2), Limit(3), Limit(4), Limit(5)) { MaxNodesPerRegisterNodes = Limit(6), MaxSubscriptionsPerSession = Limit(7), MaxNodesPerMethodCall = Limit(8) };
    }

    private RequestHeader Header(NodeId token) =>
        new(token, _time.GetUtcNow().UtcDateTime, (uint)Interlocked.Increment(ref _requestHandle), 0, null, (uint)Options.RequestTimeout.TotalMilliseconds);

    /// <summary>A service call on the session; a reply saying the session is gone ends the channel so that the client heals.</summary>
    private async Task<T> RequestAsync<T>(IServiceRequest request, CancellationToken cancellationToken)
        where T : IServiceResponse
    {
        ClientSecureChannel channel = Channel;
        try
        {
            return await channel.RequestAsync<T>(request, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OpcUaException ex) when (IsSessionLost(ex.StatusCode))
        {
            channel.Abort(ex);
            throw;
        }
    }

    /// <summary>The namespace index of a URI in the server's NamespaceArray, or -1.</summary>
    public int NamespaceIndexOf(string uri) => NamespaceUris is IList<string> list ? list.IndexOf(uri) : NamespaceUris.ToList().IndexOf(uri);

    public async Task<IReadOnlyList<EndpointDescription>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        GetEndpointsResponse response = await RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), cancellationToken).ConfigureAwait(false);
        return response.Endpoints;
    }

    private static IEnumerable<List<T>> Batches<T>(IReadOnlyList<T> items, uint limit)
    {
        int size = limit == 0 ? Math.Max(items.Count, 1) : (int)limit;
        for (int i = 0; i < items.Count; i += size)
        {
            yield return [.. items.Skip(i).Take(size)];
        }
    }

    /// <summary>Browse (OPC 10000-4 §5.9.2), batched by MaxNodesPerBrowse.</summary>
    public async Task<IReadOnlyList<BrowseResult>> BrowseAsync(IReadOnlyList<BrowseDescription> nodes, uint maxReferencesPerNode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<BrowseResult> results = [];
        foreach (List<BrowseDescription> batch in Batches(nodes, OperationLimits.MaxNodesPerBrowse))
        {
            BrowseResponse response = await RequestAsync<BrowseResponse>(new BrowseRequest(Header(_authenticationToken), maxReferencesPerNode, batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>BrowseNext (OPC 10000-4 §5.9.3).</summary>
    public async Task<IReadOnlyList<BrowseResult>> BrowseNextAsync(IReadOnlyList<byte[]> continuationPoints, bool release, CancellationToken cancellationToken)
    {
        BrowseNextResponse response = await RequestAsync<BrowseNextResponse>(new BrowseNextRequest(Header(_authenticationToken), release, [.. continuationPoints]), cancellationToken).ConfigureAwait(false);
        return response.Results;
    }

    /// <summary>All forward hierarchical references of a node, following continuation points.</summary>
    public async Task<IReadOnlyList<ReferenceDescription>> BrowseAllAsync(NodeId nodeId, CancellationToken cancellationToken, uint pageSize = 0)
    {
        BrowseResult result = (await BrowseAsync([new BrowseDescription(nodeId, BrowseDirection.Forward, WellKnownNodes.HierarchicalReferences)], pageSize, cancellationToken).ConfigureAwait(false))[0];
        if (result.StatusCode.IsBad)
        {
            throw new OpcUaException(result.StatusCode, $"Browse of {nodeId} failed.");
        }

        List<ReferenceDescription> all = [.. result.References];
        while (result.ContinuationPoint is { Length: > 0 } cp)
        {
            result = (await BrowseNextAsync([cp], false, cancellationToken).ConfigureAwait(false))[0];
            if (result.StatusCode.IsBad)
            {
                throw new OpcUaException(result.StatusCode, $"BrowseNext of {nodeId} failed.");
            }

            all.AddRange(result.References);
        }

        return all;
    }

    /// <summary>TranslateBrowsePathsToNodeIds (OPC 10000-4 §5.9.4).</summary>
    public async Task<IReadOnlyList<BrowsePathResult>> TranslateBrowsePathsAsync(IReadOnlyList<BrowsePath> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        List<BrowsePathResult> results = [];
        foreach (List<BrowsePath> batch in Batches(paths, OperationLimits.MaxNodesPerTranslateBrowsePathsToNodeIds))
        {
            TranslateBrowsePathsResponse response = await RequestAsync<TranslateBrowsePathsResponse>(new TranslateBrowsePathsRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>Read (OPC 10000-4 §5.10.2), batched by MaxNodesPerRead.</summary>
    public async Task<IReadOnlyList<DataValue>> ReadAsync(IReadOnlyList<ReadValueId> nodes, CancellationToken cancellationToken, TimestampsToReturn timestamps = TimestampsToReturn.Both)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<DataValue> results = [];
        foreach (List<ReadValueId> batch in Batches(nodes, OperationLimits.MaxNodesPerRead))
        {
            ReadResponse response = await RequestAsync<ReadResponse>(new ReadRequest(Header(_authenticationToken), 0, timestamps, batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    public async Task<DataValue> ReadValueAsync(NodeId nodeId, CancellationToken cancellationToken) =>
        (await ReadAsync([new ReadValueId(nodeId)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Write (OPC 10000-4 §5.10.4), batched by MaxNodesPerWrite.</summary>
    public async Task<IReadOnlyList<StatusCode>> WriteAsync(IReadOnlyList<WriteValue> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        List<StatusCode> results = [];
        foreach (List<WriteValue> batch in Batches(values, OperationLimits.MaxNodesPerWrite))
        {
            WriteResponse response = await RequestAsync<WriteResponse>(new WriteRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>
    /// RegisterNodes (OPC 10000-4 §5.9.5), batched by MaxNodesPerRegisterNodes: the server may hand back ids that are
    /// faster to use in repeated Read/Write calls. They are valid for this session only (see <see cref="SessionRecreations"/>).
    /// </summary>
    public async Task<IReadOnlyList<NodeId>> RegisterNodesAsync(IReadOnlyList<NodeId> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<NodeId> registered = [];
        foreach (List<NodeId> batch in Batches(nodes, OperationLimits.MaxNodesPerRegisterNodes))
        {
            RegisterNodesResponse response = await RequestAsync<RegisterNodesResponse>(new RegisterNodesRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            registered.AddRange(response.RegisteredNodeIds);
        }

        return registered;
    }

    /// <summary>UnregisterNodes (OPC 10000-4 §5.9.6), batched by MaxNodesPerRegisterNodes.</summary>
    public async Task UnregisterNodesAsync(IReadOnlyList<NodeId> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (List<NodeId> batch in Batches(nodes, OperationLimits.MaxNodesPerRegisterNodes))
        {
            await RequestAsync<UnregisterNodesResponse>(new UnregisterNodesRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<StatusCode> WriteValueAsync(NodeId nodeId, Variant value, CancellationToken cancellationToken) =>
        (await WriteAsync([new WriteValue(nodeId, value)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Call (OPC 10000-4 §5.11.2), batched by MaxNodesPerMethodCall: runs methods on the server; each result carries its
    /// own status and output arguments.
    /// </summary>
    public async Task<IReadOnlyList<CallMethodResult>> CallAsync(IReadOnlyList<CallMethodRequest> methods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(methods);
        List<CallMethodResult> results = [];
        foreach (List<CallMethodRequest> batch in Batches(methods, OperationLimits.MaxNodesPerMethodCall))
        {
            CallResponse response = await RequestAsync<CallResponse>(new CallRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>Calls one method and returns its output arguments; a bad result throws an <see cref="OpcUaException"/> with its status.</summary>
    public async Task<IReadOnlyList<Variant>> CallMethodAsync(NodeId objectId, NodeId methodId, IReadOnlyList<Variant> inputArguments, CancellationToken cancellationToken)
    {
        CallMethodResult result = (await CallAsync([new CallMethodRequest(objectId, methodId, inputArguments)], cancellationToken).ConfigureAwait(false))[0];
        return result.StatusCode.IsBad
            ? throw new OpcUaException(result.StatusCode, $"Method {methodId} on {objectId} failed.")
            : result.OutputArguments;
    }

    /// <summary>CreateSubscription (OPC 10000-4 §5.13.2); publishing starts at once.</summary>
    public async Task<OpcUaSubscription> CreateSubscriptionAsync(SubscriptionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        uint max = OperationLimits.MaxSubscriptionsPerSession;
        if (max != 0 && Subscriptions.Count >= max)
        {
            throw new OpcUaException(StatusCode.BadTooManySubscriptions, $"The server allows {max} subscriptions per session.");
        }

        OpcUaSubscription subscription = new(this, options);
        await CreateSubscriptionOnServerAsync(subscription, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        RestartPublishing();
        return subscription;
    }

    private async Task CreateSubscriptionOnServerAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        SubscriptionOptions o = subscription.Options;
        CreateSubscriptionResponse response = await RequestAsync<CreateSubscriptionResponse>(
            new CreateSubscriptionRequest(Header(_authenticationToken), o.PublishingInterval, o.LifetimeCount, o.KeepAliveCount, o.MaxNotificationsPerPublish, true, o.Priority),
            cancellationToken).ConfigureAwait(false);
        subscription.Id = response.SubscriptionId;
        subscription.RevisedPublishingInterval = response.RevisedPublishingInterval;
        subscription.RevisedKeepAliveCount = response.RevisedMaxKeepAliveCount;
        subscription.RevisedLifetimeCount = response.RevisedLifetimeCount;
        subscription.ResetSequence();
    }

    private async Task RecreateSubscriptionAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        await CreateSubscriptionOnServerAsync(subscription, cancellationToken).ConfigureAwait(false);
        List<MonitoredItem> items = [.. subscription.Items];
        foreach (MonitoredItem item in items)
        {
            item.ServerId = 0;
            item.Status = StatusCode.BadWaitingForInitialData;
        }

        await CreateItemsOnServerAsync(subscription, items, cancellationToken).ConfigureAwait(false);
        foreach (MonitoredItem trigger in items.Where(i => i.TriggeredItems.Count > 0 && i.Status.IsGood))
        {
            await SetTriggeringOnServerAsync(subscription, trigger, [.. trigger.TriggeredItems.Where(i => i.Status.IsGood)], [], cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<IReadOnlyList<StatusCode>> SetMonitoringModeOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, MonitoringMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<StatusCode> results = [];
        foreach (List<MonitoredItem> batch in Batches(items, OperationLimits.MaxMonitoredItemsPerCall))
        {
            StatusCodesResponse response = await RequestAsync<StatusCodesResponse>(new SetMonitoringModeRequest(Header(_authenticationToken), subscription.Id, mode, [.. batch.Select(i => i.ServerId)]), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < batch.Count && i < response.Results.Count; i++)
            {
                if (response.Results[i].IsGood)
                {
                    batch[i].MonitoringMode = mode;
                }
            }

            results.AddRange(response.Results);
        }

        return results;
    }

    internal async Task<(IReadOnlyList<StatusCode> Added, IReadOnlyList<StatusCode> Removed)> SetTriggeringOnServerAsync(OpcUaSubscription subscription, MonitoredItem trigger, IReadOnlyList<MonitoredItem> add, IReadOnlyList<MonitoredItem> remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(remove);
        SetTriggeringResponse response = await RequestAsync<SetTriggeringResponse>(
            new SetTriggeringRequest(Header(_authenticationToken), subscription.Id, trigger.ServerId, [.. add.Select(i => i.ServerId)], [.. remove.Select(i => i.ServerId)]), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < remove.Count && i < response.RemoveResults.Count; i++)
        {
            trigger.TriggeredItems.Remove(remove[i]);
        }

        for (int i = 0; i < add.Count && i < response.AddResults.Count; i++)
        {
            if (response.AddResults[i].IsGood)
            {
                trigger.TriggeredItems.Add(add[i]);
            }
        }

        return (response.AddResults, response.RemoveResults);
    }

    internal async Task ModifySubscriptionOnServerAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        SubscriptionOptions o = subscription.Options;
        ModifySubscriptionResponse response = await RequestAsync<ModifySubscriptionResponse>(
            new ModifySubscriptionRequest(Header(_authenticationToken), subscription.Id, o.PublishingInterval, o.LifetimeCount, o.KeepAliveCount, o.MaxNotificationsPerPublish, o.Priority),
            cancellationToken).ConfigureAwait(false);
        subscription.RevisedPublishingInterval = response.RevisedPublishingInterval;
        subscription.RevisedKeepAliveCount = response.RevisedMaxKeepAliveCount;
        subscription.RevisedLifetimeCount = response.RevisedLifetimeCount;
    }

    internal async Task DeleteSubscriptionAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }

        subscription.Complete();
        await RequestAsync<StatusCodesResponse>(new DeleteSubscriptionsRequest(Header(_authenticationToken), [subscription.Id]), cancellationToken).ConfigureAwait(false);
    }

    internal uint NextClientHandle() => (uint)Interlocked.Increment(ref _clientHandle);

    /// <summary>
    /// The in-order delivery of a subscription's messages: a gap that lasts <see cref="OpcUaClientOptions.NotificationGapTimeout"/>
    /// (while connected) is Republished, and what the server no longer has is declared lost and logged.
    /// </summary>
    internal NotificationSequence CreateNotificationSequence(OpcUaSubscription subscription, Action<NotificationMessage> deliver) =>
        new(_time, Options.NotificationGapTimeout, deliver)
        {
            CanGiveUp = () => State == ConnectionState.Connected,
            Recover = missing => RepublishAsync(subscription, missing),
            Lost = (first, count) => LogNotificationMessagesLost(_logger, Options.EndpointUrl, subscription.Id, first, count),
        };

    internal void OnHandlerFailed(OpcUaSubscription subscription, Exception exception) =>
        LogHandlerFailed(_logger, exception, Options.EndpointUrl, subscription.Id);

    /// <summary>Republish (OPC 10000-4 §5.13.6) of missing messages, each acknowledged once received; one the server no longer has is skipped.</summary>
    private async Task RepublishAsync(OpcUaSubscription subscription, IReadOnlyList<uint> missing)
    {
        foreach (uint sequence in missing)
        {
            try
            {
                RepublishResponse republished = await RequestAsync<RepublishResponse>(new RepublishRequest(Header(_authenticationToken), subscription.Id, sequence), _disposing.Token).ConfigureAwait(false);
                subscription.DeliverRepublished(republished.NotificationMessage);
                _acks.Enqueue(new SubscriptionAcknowledgement(subscription.Id, sequence));
            }
            catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadMessageNotAvailable)
            {
                // Gone from the server's retransmission queue: lost.
            }
        }
    }

    /// <summary>
    /// CreateMonitoredItems in batches of MaxMonitoredItemsPerCall; a batch refused with BadTooManyOperations is split.
    /// Each item gets its own status, so one unknown node never fails the others.
    /// </summary>
    internal async Task CreateItemsOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, CancellationToken cancellationToken)
    {
        uint limit = OperationLimits.MaxMonitoredItemsPerCall == 0 ? 5000 : Math.Min(OperationLimits.MaxMonitoredItemsPerCall, 5000);
        Queue<List<MonitoredItem>> batches = new(Batches(items, limit));
        while (batches.TryDequeue(out List<MonitoredItem>? batch))
        {
            List<MonitoredItemCreateRequest> requests = [.. batch.Select(i => new MonitoredItemCreateRequest(
                new ReadValueId(i.Request.NodeId, i.Request.AttributeId, i.Request.IndexRange),
                i.MonitoringMode,
                new MonitoringParameters(i.ClientHandle, i.Request.SamplingInterval, FilterOf(i.Request), i.Request.QueueSize, i.Request.DiscardOldest)))];
            CreateMonitoredItemsResponse response;
            try
            {
                response = await RequestAsync<CreateMonitoredItemsResponse>(new CreateMonitoredItemsRequest(Header(_authenticationToken), subscription.Id, TimestampsToReturn.Both, requests), cancellationToken).ConfigureAwait(false);
            }
            catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTooManyOperations && batch.Count > 1)
            {
                int half = batch.Count / 2;
                batches.Enqueue(batch[..half]);
                batches.Enqueue(batch[half..]);
                continue;
            }

            for (int i = 0; i < batch.Count && i < response.Results.Count; i++)
            {
                MonitoredItemCreateResult result = response.Results[i];
                batch[i].Status = result.StatusCode;
                batch[i].ServerId = result.MonitoredItemId;
                batch[i].RevisedSamplingInterval = result.RevisedSamplingInterval;
                batch[i].RevisedQueueSize = result.RevisedQueueSize;
            }
        }
    }

    private static ExtensionObject FilterOf(MonitoredItemRequest request) =>
        request.EventFilter is { } events ? new ExtensionObject(new NodeId(0, 727u), events)
        : request.Filter is { } dataChange ? new ExtensionObject(new NodeId(0, 724u), dataChange)
        : ExtensionObject.Null;

    internal async Task DeleteItemsOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, CancellationToken cancellationToken)
    {
        uint[] ids = [.. items.Where(i => i.Status.IsGood).Select(i => i.ServerId)];
        foreach (List<uint> batch in Batches(ids, OperationLimits.MaxMonitoredItemsPerCall))
        {
            if (batch.Count > 0)
            {
                await RequestAsync<StatusCodesResponse>(new DeleteMonitoredItemsRequest(Header(_authenticationToken), subscription.Id, batch), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void RestartPublishing()
    {
        CancellationTokenSource? old;
        CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        lock (_gate)
        {
            if (_subscriptions.Count == 0 || _channel is null)
            {
                stop.Dispose();
                return;
            }

            if (_publishStop is not null && !_publishStop.IsCancellationRequested && Volatile.Read(ref _publishLoops) > 0)
            {
                stop.Dispose();
                return;
            }

            old = _publishStop;
            _publishStop = stop;
        }

        old?.Cancel();
        ClientSecureChannel channel = _channel;
        for (int i = 0; i < Options.PublishRequests; i++)
        {
            Interlocked.Increment(ref _publishLoops);
            _ = Task.Run(() => PublishLoopAsync(channel, stop.Token), CancellationToken.None);
        }
    }

    /// <summary>One outstanding Publish request at a time (OPC 10000-4 §5.13.5); acknowledgements ride on the next request.</summary>
    private async Task PublishLoopAsync(ClientSecureChannel channel, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested && !channel.Closed.IsCompleted)
            {
                List<SubscriptionAcknowledgement> acks = [];
                while (acks.Count < 100 && _acks.TryDequeue(out SubscriptionAcknowledgement ack))
                {
                    acks.Add(ack);
                }

                TimeSpan timeout = TimeSpan.FromMilliseconds(Math.Max(Options.RequestTimeout.TotalMilliseconds, LongestKeepAliveMs() * 2));
                IServiceResponse response;
                try
                {
                    long started = System.Diagnostics.Stopwatch.GetTimestamp();
                    response = await channel.RequestAsync<IServiceResponse>(new PublishRequest(Header(_authenticationToken), acks), timeout, stop).ConfigureAwait(false);
                    OpcUaMetrics.PublishDuration.Record(OpcUaMetrics.ElapsedMs(started));
                }
                catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadNoSubscription || ex.StatusCode == StatusCode.BadTooManyPublishRequests)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stop).ConfigureAwait(false);
                    continue;
                }
                catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTimeout)
                {
                    continue;
                }
                catch (OpcUaException ex) when (IsSessionLost(ex.StatusCode))
                {
                    channel.Abort(ex);
                    return;
                }

                if (response is DeliveredPublishResponse delivered)
                {
                    // Delivered on the receive loop as it was read (see ReadPublishResponse); only the acknowledgement is left.
                    if (delivered.HasNotifications)
                    {
                        _acks.Enqueue(new SubscriptionAcknowledgement(delivered.SubscriptionId, delivered.SequenceNumber));
                    }

                    continue;
                }

                if (response is not PublishResponse full || FindSubscription(full.SubscriptionId) is not { } subscription)
                {
                    continue;
                }

                if (full.NotificationMessage.NotificationData.Count > 0)
                {
                    _acks.Enqueue(new SubscriptionAcknowledgement(full.SubscriptionId, full.NotificationMessage.SequenceNumber));
                }

                subscription.Deliver(full.NotificationMessage);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (OpcUaException)
        {
            // The channel is gone or the session was lost; the reconnect path restarts publishing.
        }
        finally
        {
            Interlocked.Decrement(ref _publishLoops);
        }
    }

    private double LongestKeepAliveMs()
    {
        double longest = 1000;
        lock (_gate)
        {
            foreach (OpcUaSubscription s in _subscriptions)
            {
                longest = Math.Max(longest, s.RevisedPublishingInterval * Math.Max(s.RevisedKeepAliveCount, 1));
            }
        }

        return longest;
    }

    /// <summary>A subscription the server already has, registered without a service call (tests and benchmarks feed it Publish responses).</summary>
    internal OpcUaSubscription AttachSubscription(uint id, SubscriptionOptions options)
    {
        OpcUaSubscription subscription = new(this, options) { Id = id };
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    private OpcUaSubscription? FindSubscription(uint id)
    {
        lock (_gate)
        {
            foreach (OpcUaSubscription s in _subscriptions)
            {
                if (s.Id == id)
                {
                    return s;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A Publish response (OPC 10000-4 §5.13.5) read on the receive loop: a NotificationMessage that is the next of its
    /// subscription goes to the subscription straight from the receive buffer (nothing allocated per value); one that is
    /// not (held back, a duplicate) or a keep-alive is decoded in full. Null for a bad service result (the ordinary path throws it).
    /// </summary>
    internal DeliveredPublishResponse? ReadPublishResponse(ReadOnlySpan<byte> body, EncodingLimits limits)
    {
        UaBinaryReader r = new(body, limits);
        _ = r.ReadNodeId();
        ResponseHeader header = ResponseHeader.Decode(ref r);
        if (header.ServiceResult.IsBad)
        {
            return null;
        }

        uint subscriptionId = r.ReadUInt32();
        int available = r.ReadArrayLength();
        _ = r.ReadRaw(Math.Max(available, 0) * 4);
        _ = r.ReadBoolean();
        int messageStart = r.Position;
        uint sequence = r.ReadUInt32();
        _ = r.ReadDateTime();
        int count = r.ReadArrayLength();
        if (FindSubscription(subscriptionId) is { } subscription && !subscription.DeliverInPlace(sequence, ref r, count))
        {
            UaBinaryReader message = new(body[messageStart..], limits);
            subscription.Deliver(NotificationMessage.Decode(ref message));
        }

        return new DeliveredPublishResponse(header, subscriptionId, sequence, count > 0);
    }

    private void OnChannelClosed(ClientSecureChannel channel, Exception? fault)
    {
        if (_disposing.IsCancellationRequested || channel != _channel || fault is null)
        {
            return;
        }

        if (!Options.AutoReconnect)
        {
            SetState(ConnectionState.Disconnected);
            return;
        }

        lock (_gate)
        {
            if (_reconnectTask is { IsCompleted: false })
            {
                return;
            }

            _reconnectTask = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        SetState(ConnectionState.Reconnecting);
        _publishStop?.Cancel();
        TimeSpan delay = Options.ReconnectDelay;
        while (!_disposing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, _disposing.Token).ConfigureAwait(false);
                using CancellationTokenSource attempt = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
                attempt.CancelAfter(Options.RequestTimeout * 2);
                await EstablishAsync(reuseSession: true, attempt.Token).ConfigureAwait(false);
                Reconnects++;
                OpcUaMetrics.Reconnects.Add(1);
                LogReconnected(_logger, Options.EndpointUrl, Reconnects);
                SetState(ConnectionState.Connected);
                return;
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is OpcUaException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException)
            {
                LogReconnectFailed(_logger, Options.EndpointUrl, ex.Message);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
            }
        }
    }

    /// <summary>Closes the session (deleting its subscriptions) and the channel.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        ClientSecureChannel? channel = _channel;
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

    private async Task DisposeChannelAsync()
    {
        if (_reconnectTask is not null)
        {
            await _reconnectTask.ConfigureAwait(false);
        }

        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        foreach (OpcUaSubscription subscription in Subscriptions)
        {
            subscription.Complete();
        }

        _reverse?.Dispose();
        SetState(ConnectionState.Closed);
    }

    public async ValueTask DisposeAsync()
    {
        if (State != ConnectionState.Closed)
        {
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _publishStop?.Dispose();
        _disposing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: certificate {Subject} rejected ({Status}): {Reason}")]
    private static partial void LogServerCertificateRejected(ILogger logger, string endpoint, string subject, StatusCode status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: reconnected (reconnect {Count})")]
    private static partial void LogReconnected(ILogger logger, string endpoint, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "OPC UA server {Endpoint}: reconnect attempt failed: {Reason}")]
    private static partial void LogReconnectFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: the old session is gone, created session {SessionId}")]
    private static partial void LogSessionRecreated(ILogger logger, string endpoint, NodeId sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} transferred, {Available} messages to check for Republish")]
    private static partial void LogSubscriptionTransferred(ILogger logger, string endpoint, uint subscriptionId, int available);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: a handler of subscription {SubscriptionId} failed; delivery goes on")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string endpoint, uint subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} lost {Count} notification messages from sequence number {First} (not received in time, not available for Republish)")]
    private static partial void LogNotificationMessagesLost(ILogger logger, string endpoint, uint subscriptionId, uint first, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: subscription {SubscriptionId} not transferred ({Status}); recreating it and its items")]
    private static partial void LogSubscriptionNotTransferred(ILogger logger, string endpoint, uint subscriptionId, StatusCode status);
}
