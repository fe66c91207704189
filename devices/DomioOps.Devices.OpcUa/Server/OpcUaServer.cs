using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// An OPC UA server over UA TCP with SecurityPolicy None: discovery, sessions (anonymous and user name), browse,
/// translate, read, write, subscriptions and monitored items over an <see cref="OpcUa.Server.AddressSpace"/>.
/// </summary>
public sealed partial class OpcUaServer : IAsyncDisposable
{
    private const string TransportProfile = "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";

    private readonly ConcurrentDictionary<NodeId, ServerSession> _sessions = new();

    // Every live subscription by id, also those whose session is gone, so that TransferSubscriptions can find them.
    private readonly ConcurrentDictionary<uint, ServerSubscription> _subscriptions = new();
    private readonly ConcurrentDictionary<ServerConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private Task[] _reverseLoops = [];
    private ITimer? _sessionSweep;
    private int _channelId;
    private int _sessionCounter;
    private int _subscriptionId;
    private int _monitoredItemId;

    public OpcUaServer(OpcUaServerOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        options.Validate();
        Options = options;
        Time = timeProvider ?? TimeProvider.System;
        AddressSpace = new AddressSpace(options.ApplicationUri, Time);
        DateTime now = Time.GetUtcNow().UtcDateTime;
        foreach ((NodeId id, string name, uint value) in new[]
        {
            (WellKnownNodes.MaxNodesPerRead, "MaxNodesPerRead", options.MaxNodesPerRead),
            (WellKnownNodes.MaxNodesPerWrite, "MaxNodesPerWrite", options.MaxNodesPerWrite),
            (WellKnownNodes.MaxNodesPerMethodCall, "MaxNodesPerMethodCall", options.MaxNodesPerMethodCall),
            (WellKnownNodes.MaxNodesPerBrowse, "MaxNodesPerBrowse", options.MaxNodesPerBrowse),
            (WellKnownNodes.MaxNodesPerTranslateBrowsePathsToNodeIds, "MaxNodesPerTranslateBrowsePathsToNodeIds", options.MaxNodesPerBrowse),
            (WellKnownNodes.MaxMonitoredItemsPerCall, "MaxMonitoredItemsPerCall", options.MaxMonitoredItemsPerCall),
            (WellKnownNodes.MaxNodesPerRegisterNodes, "MaxNodesPerRegisterNodes", options.MaxNodesPerRead),
        })
        {
            AddressSpace.AddVariable(WellKnownNodes.OperationLimits, id, new QualifiedName(0, name), new Variant(value), now, referenceType: WellKnownNodes.HasProperty);
        }

        InstallConditionMethods();
        AddressSpace.AddVariable(WellKnownNodes.ServerCapabilities, WellKnownNodes.MaxSubscriptionsPerSession, new QualifiedName(0, "MaxSubscriptionsPerSession"), new Variant((uint)options.MaxSubscriptionsPerSession), now, referenceType: WellKnownNodes.HasProperty);
    }

    public OpcUaServerOptions Options { get; }

    public AddressSpace AddressSpace { get; }

    internal TimeProvider Time { get; }

    /// <summary>The port actually bound (useful with port 0).</summary>
    public int Port { get; private set; }

    public string EndpointUrl => $"opc.tcp://{Options.Host}:{Port}";

    public int SessionCount => _sessions.Count;

    /// <summary>Fault injection: asked before each service response (publish responses included) is sent; null answers normally.</summary>
    public Func<OpcUaServerFault>? Fault { get; set; }

    /// <summary>The application instance certificate, loaded or created at start when a secured endpoint is offered.</summary>
    public X509Certificate2? Certificate { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Options.Endpoints.Any(e => e.Mode != MessageSecurityMode.None))
        {
            Certificate = Options.Certificates!.LoadOrCreateApplicationCertificate(Options.ApplicationUri, Options.ApplicationName);
        }

        _listener = new TcpListener(IPAddress.Parse(Options.Host), Options.Port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        _reverseLoops = [.. Options.ReverseConnect.Select(url => Task.Run(() => ReverseConnectLoopAsync(url), CancellationToken.None))];
        _sessionSweep = Time.CreateTimer(static s => ((OpcUaServer)s!).SweepSessions(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            ServerConnection connection = new(socket, this);
            _connections[connection] = Task.Run(async () =>
            {
                await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
                _connections.TryRemove(connection, out _);
            });
        }
    }

    /// <summary>
    /// Reverse Connect (OPC 10000-6 §7.1.3): dials the client's listener, says ReverseHello and serves the connection as
    /// if the client had dialled in; when it ends (or the dial fails) it dials again after the delay, so one connection
    /// per client is always waiting or in use.
    /// </summary>
    private async Task ReverseConnectLoopAsync(string clientUrl)
    {
        (string host, int port) = ClientSecureChannel.ParseEndpoint(clientUrl);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                Socket socket = new(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(host, port, _stopping.Token).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                ServerConnection connection = new(socket, this);
                Task run = connection.RunAsync(_stopping.Token, new ReverseHelloMessage(Options.ApplicationUri, EndpointUrl));
                _connections[connection] = run;
                await run.ConfigureAwait(false);
                _connections.TryRemove(connection, out _);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                LogReverseConnectFailed(_logger, clientUrl, ex.Message);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(Options.ReverseConnectDelay, Time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        _sessionSweep?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_reverseLoops).ConfigureAwait(false);

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        foreach (ServerSession session in _sessions.Values)
        {
            session.Close(deleteSubscriptions: true);
        }

        _sessions.Clear();
        foreach (ServerSubscription subscription in _subscriptions.Values)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
        _stopping.Dispose();
    }

    internal uint NextChannelId() => (uint)Interlocked.Increment(ref _channelId);

    internal DataValue Sample(ReadValueId item, TimestampsToReturn timestamps) => AddressSpace.ReadAttribute(item, timestamps, Time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// A session whose client fell silent for its timeout is closed; its subscriptions live on until their own lifetime
    /// expires, so that the client can take them over with TransferSubscriptions (OPC 10000-4 §5.13.7).
    /// </summary>
    private void SweepSessions()
    {
        DateTimeOffset now = Time.GetUtcNow();
        foreach (ServerSession session in _sessions.Values)
        {
            if ((now - session.LastActivity).TotalMilliseconds > session.Timeout && _sessions.TryRemove(session.AuthenticationToken, out _))
            {
                session.Close(deleteSubscriptions: false);
            }
        }
    }

    /// <summary>A subscription whose lifetime expired (or that was deleted) leaves the server.</summary>
    internal void RemoveSubscription(ServerSubscription subscription)
    {
        _subscriptions.TryRemove(new KeyValuePair<uint, ServerSubscription>(subscription.Id, subscription));
        subscription.Session.DetachSubscription(subscription.Id);
        subscription.Dispose();
    }

    internal IReadOnlyList<EndpointDescription> Endpoints()
    {
        ApplicationDescription server = new(Options.ApplicationUri, Options.ProductUri, new LocalizedText(Options.ApplicationName), ApplicationType.Server, DiscoveryUrls: [EndpointUrl]);
        List<EndpointDescription> endpoints = [];
        foreach ((string policyUri, MessageSecurityMode mode) in Options.Endpoints)
        {
            List<UserTokenPolicy> policies = [];
            if (Options.AllowAnonymous)
            {
                policies.Add(new UserTokenPolicy("anonymous", UserTokenType.Anonymous));
            }

            if (Options.Users.Count > 0)
            {
                // On a secured channel the password is encrypted with the channel's policy (an empty SecurityPolicyUri says so).
                policies.Add(new UserTokenPolicy("username", UserTokenType.UserName, SecurityPolicyUri: mode == MessageSecurityMode.None ? SecurityPolicy.NoneUri : null));
            }

            byte level = mode switch { MessageSecurityMode.SignAndEncrypt => 3, MessageSecurityMode.Sign => 2, _ => 0 };
            endpoints.Add(new EndpointDescription(EndpointUrl, server, Certificate?.RawData ?? ReadOnlyMemory<byte>.Empty, mode, policyUri, policies, TransportProfile, level));
        }

        return endpoints;
    }

    /// <summary>Server side of the first secured OPN: the policy must be offered and the client certificate trusted.</summary>
    internal ChannelSecurity AcceptChannel(string policyUri, byte[]? senderCertificate)
    {
        SecurityPolicy? policy = SecurityPolicy.FromUri(policyUri);
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

    /// <summary>Runs one service; returns null when the answer comes later (Publish).</summary>
    internal IServiceResponse? Handle(ServerConnection connection, uint requestId, IServiceRequest request)
    {
        DateTime now = Time.GetUtcNow().UtcDateTime;
        ResponseHeader Ok() => ResponseHeader.For(request.RequestHeader, now);
        switch (request)
        {
            case GetEndpointsRequest:
                return new GetEndpointsResponse(Ok(), Endpoints());
            case CreateSessionRequest create:
                return CreateSession(connection, create, now);
            case ActivateSessionRequest activate:
                return ActivateSession(connection, activate, now);
            default:
                break;
        }

        ServerSession session = RequireSession(connection, request.RequestHeader);
        switch (request)
        {
            case CloseSessionRequest close:
                if (_sessions.TryRemove(session.AuthenticationToken, out _))
                {
                    foreach (uint id in session.Close(close.DeleteSubscriptions))
                    {
                        _subscriptions.TryRemove(id, out _);
                    }
                }

                return new CloseSessionResponse(Ok());
            case BrowseRequest browse:
                CheckCount(browse.NodesToBrowse.Count, Options.MaxNodesPerBrowse);
                return new BrowseResponse(Ok(), [.. browse.NodesToBrowse.Select(d => Browse(session, d, browse.RequestedMaxReferencesPerNode))]);
            case BrowseNextRequest next:
                return new BrowseNextResponse(Ok(), [.. next.ContinuationPoints.Select(cp => BrowseNext(session, cp, next.ReleaseContinuationPoints))]);
            case TranslateBrowsePathsRequest translate:
                CheckCount(translate.BrowsePaths.Count, Options.MaxNodesPerBrowse);
                return new TranslateBrowsePathsResponse(Ok(), [.. translate.BrowsePaths.Select(Translate)]);
            case ReadRequest read:
                CheckCount(read.NodesToRead.Count, Options.MaxNodesPerRead);
                if (read.TimestampsToReturn is < TimestampsToReturn.Source or > TimestampsToReturn.Neither)
                {
                    throw new OpcUaException(StatusCode.BadTimestampsToReturnInvalid, "Invalid TimestampsToReturn.");
                }

                return new ReadResponse(Ok(), [.. read.NodesToRead.Select(n => AddressSpace.ReadAttribute(n, read.TimestampsToReturn, now))]);
            case WriteRequest write:
                CheckCount(write.NodesToWrite.Count, Options.MaxNodesPerWrite);
                return new WriteResponse(Ok(), [.. write.NodesToWrite.Select(w => Write(w, now))]);
            case CallRequest call:
                CheckCount(call.MethodsToCall.Count, Options.MaxNodesPerMethodCall);
                _ = CallAsync(connection, session, requestId, call, Ok());
                return null;
            case CreateSubscriptionRequest create:
                return CreateSubscription(session, create, Ok());
            case ModifySubscriptionRequest modify:
                {
                    ServerSubscription subscription = session.FindSubscription(modify.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
                    (double interval, uint lifetime, uint keepAlive) = ReviseSubscription(modify.RequestedPublishingInterval, modify.RequestedLifetimeCount, modify.RequestedMaxKeepAliveCount);
                    subscription.Modify(interval, lifetime, keepAlive, modify.MaxNotificationsPerPublish);
                    return new ModifySubscriptionResponse(Ok(), interval, lifetime, keepAlive);
                }

            case DeleteSubscriptionsRequest delete:
                return new StatusCodesResponse(850, Ok(), [.. delete.SubscriptionIds.Select(id => DeleteSubscription(session, id))]);
            case TransferSubscriptionsRequest transfer:
                CheckCount(transfer.SubscriptionIds.Count, 0);
                return new TransferSubscriptionsResponse(Ok(), [.. transfer.SubscriptionIds.Select(id => TransferSubscription(session, id, transfer.SendInitialValues))]);
            case SetMonitoringModeRequest setMode:
                {
                    ServerSubscription subscription = session.FindSubscription(setMode.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
                    CheckCount(setMode.MonitoredItemIds.Count, Options.MaxMonitoredItemsPerCall);
                    if (setMode.MonitoringMode is < MonitoringMode.Disabled or > MonitoringMode.Reporting)
                    {
                        throw new OpcUaException(StatusCode.BadMonitoringModeInvalid, "Invalid MonitoringMode.");
                    }

                    return new StatusCodesResponse(772, Ok(), [.. setMode.MonitoredItemIds.Select(id => subscription.SetMonitoringMode(id, setMode.MonitoringMode))]);
                }

            case SetTriggeringRequest triggering:
                {
                    ServerSubscription subscription = session.FindSubscription(triggering.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
                    CheckCount(triggering.LinksToAdd.Count + triggering.LinksToRemove.Count, Options.MaxMonitoredItemsPerCall);
                    (StatusCode[] added, StatusCode[] removed) = subscription.SetTriggering(triggering.TriggeringItemId, triggering.LinksToAdd, triggering.LinksToRemove);
                    return new SetTriggeringResponse(Ok(), added, removed);
                }

            case RegisterNodesRequest register:
                // Registration is a hint (OPC 10000-4 §5.9.5); our node lookup is already a dictionary, so the ids stay as they are.
                CheckCount(register.NodesToRegister.Count, Options.MaxNodesPerRead);
                return new RegisterNodesResponse(Ok(), register.NodesToRegister);
            case UnregisterNodesRequest unregister:
                CheckCount(unregister.NodesToUnregister.Count, Options.MaxNodesPerRead);
                return new UnregisterNodesResponse(Ok());
            case CreateMonitoredItemsRequest create:
                return CreateMonitoredItems(session, create, Ok());
            case ModifyMonitoredItemsRequest modify:
                return ModifyMonitoredItems(session, modify, Ok());
            case DeleteMonitoredItemsRequest delete:
                {
                    ServerSubscription subscription = session.FindSubscription(delete.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
                    CheckCount(delete.MonitoredItemIds.Count, Options.MaxMonitoredItemsPerCall);
                    return new StatusCodesResponse(784, Ok(), [.. delete.MonitoredItemIds.Select(subscription.RemoveItem)]);
                }

            case PublishRequest publish:
                {
                    StatusCode[] acks = [.. publish.SubscriptionAcknowledgements.Select(a => session.FindSubscription(a.SubscriptionId)?.Acknowledge(a.SequenceNumber) ?? StatusCode.BadSubscriptionIdInvalid)];
                    session.EnqueuePublish(new PendingPublish(connection, requestId, publish.RequestHeader.RequestHandle, acks));
                    return null;
                }

            case RepublishRequest republish:
                {
                    ServerSubscription subscription = session.FindSubscription(republish.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
                    NotificationMessage message = subscription.Republish(republish.RetransmitSequenceNumber) ?? throw new OpcUaException(StatusCode.BadMessageNotAvailable, "Not in the retransmission queue.");
                    return new RepublishResponse(Ok(), message);
                }

            default:
                throw new OpcUaException(StatusCode.BadServiceUnsupported, $"{request.GetType().Name} is not supported.");
        }
    }

    private static void CheckCount(int count, uint max)
    {
        if (count == 0)
        {
            throw new OpcUaException(StatusCode.BadNothingToDo, "Nothing to do.");
        }

        if (max != 0 && count > max)
        {
            throw new OpcUaException(StatusCode.BadTooManyOperations, $"{count} operations exceed {max}.");
        }
    }

    private ServerSession RequireSession(ServerConnection connection, RequestHeader header)
    {
        if (!_sessions.TryGetValue(header.AuthenticationToken, out ServerSession? session))
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

        int n = Interlocked.Increment(ref _sessionCounter);
        NodeId sessionId = new(1, $"Session{n}");
        NodeId token = new(1, RandomNumberGenerator.GetBytes(32));
        double timeout = double.IsNaN(create.RequestedSessionTimeout) ? 60_000 : Math.Clamp(create.RequestedSessionTimeout, Options.MinSessionTimeout.TotalMilliseconds, 3_600_000);
        ServerSession session = new(this, sessionId, token, create.SessionName, timeout, connection) { ServerNonce = RandomNumberGenerator.GetBytes(32), ClientCertificate = create.ClientCertificate };
        ChannelSecurity? security = connection.Security;
        SignatureData signature = SignatureData.Empty;
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
        if (!_sessions.TryGetValue(activate.RequestHeader.AuthenticationToken, out ServerSession? session))
        {
            throw new OpcUaException(StatusCode.BadSessionIdInvalid, "Unknown session.");
        }

        ChannelSecurity? channelSecurity = connection.Security;
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
                && Options.Users.TryGetValue(user.UserName, out string? password)
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

        int length = plain.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(plain) : -1;
        byte[] nonce = session.ServerNonce ?? [];
        if (length < nonce.Length || length != plain.Length - 4 || !plain.AsSpan(4 + length - nonce.Length).SequenceEqual(nonce))
        {
            throw new OpcUaException(StatusCode.BadIdentityTokenInvalid, "The password secret does not end with the server nonce.");
        }

        return plain[4..(4 + length - nonce.Length)];
    }

    private BrowseResult Browse(ServerSession session, BrowseDescription description, uint requestedMax)
    {
        Node? node = AddressSpace.Find(description.NodeId);
        if (node is null)
        {
            return new BrowseResult(StatusCode.BadNodeIdUnknown, null, []);
        }

        if (description.BrowseDirection is < BrowseDirection.Forward or > BrowseDirection.Both)
        {
            return new BrowseResult(StatusCode.BadBrowseDirectionInvalid, null, []);
        }

        List<ReferenceDescription> all = [];
        foreach (NodeReference reference in node.References.ToArray())
        {
            bool direction = description.BrowseDirection == BrowseDirection.Both || (reference.IsForward == (description.BrowseDirection == BrowseDirection.Forward));
            if (!direction || !AddressSpace.IsReferenceOfType(reference.ReferenceTypeId, description.ReferenceTypeId, description.IncludeSubtypes))
            {
                continue;
            }

            if (description.NodeClassMask != 0 && ((uint)(AddressSpace.Find(reference.TargetId)?.NodeClass ?? NodeClass.Unspecified) & description.NodeClassMask) == 0)
            {
                continue;
            }

            all.Add(AddressSpace.Describe(reference, description.ResultMask));
        }

        return Page(session, description.NodeId, all, requestedMax);
    }

    private BrowseResult Page(ServerSession session, NodeId node, List<ReferenceDescription> all, uint requestedMax)
    {
        uint max = requestedMax == 0 ? Options.MaxReferencesPerNode : Math.Min(requestedMax, Options.MaxReferencesPerNode);
        if (all.Count <= max)
        {
            return new BrowseResult(StatusCode.Good, null, all);
        }

        string key = session.StoreContinuationPoint(node, all.GetRange((int)max, all.Count - (int)max));
        session.StoreMaxReferences(key, max);
        return new BrowseResult(StatusCode.Good, System.Text.Encoding.ASCII.GetBytes(key), all.GetRange(0, (int)max));
    }

    private BrowseResult BrowseNext(ServerSession session, byte[]? continuationPoint, bool release)
    {
        string key = System.Text.Encoding.ASCII.GetString(continuationPoint ?? []);
        uint max = session.TakeMaxReferences(key);
        if (!session.TakeContinuationPoint(key, out List<ReferenceDescription> rest))
        {
            return new BrowseResult(StatusCode.BadContinuationPointInvalid, null, []);
        }

        return release ? new BrowseResult(StatusCode.Good, null, []) : Page(session, NodeId.Null, rest, max);
    }

    private BrowsePathResult Translate(BrowsePath path)
    {
        if (AddressSpace.Find(path.StartingNode) is null)
        {
            return new BrowsePathResult(StatusCode.BadNodeIdUnknown, []);
        }

        if (path.RelativePath.Count == 0)
        {
            return new BrowsePathResult(StatusCode.BadNothingToDo, []);
        }

        List<NodeId> current = [path.StartingNode];
        foreach (RelativePathElement element in path.RelativePath)
        {
            if (element.TargetName.Name is null)
            {
                return new BrowsePathResult(StatusCode.BadBrowseNameInvalid, []);
            }

            List<NodeId> next = [];
            foreach (NodeId id in current)
            {
                foreach (NodeReference reference in AddressSpace.Find(id)?.References.ToArray() ?? [])
                {
                    if (reference.IsForward == element.IsInverse || !AddressSpace.IsReferenceOfType(reference.ReferenceTypeId, element.ReferenceTypeId, element.IncludeSubtypes))
                    {
                        continue;
                    }

                    if (AddressSpace.Find(reference.TargetId)?.BrowseName == element.TargetName)
                    {
                        next.Add(reference.TargetId);
                    }
                }
            }

            if (next.Count == 0)
            {
                return new BrowsePathResult(StatusCode.BadNoMatch, []);
            }

            current = next;
        }

        return new BrowsePathResult(StatusCode.Good, [.. current.Select(id => new BrowsePathTarget(new ExpandedNodeId(id), uint.MaxValue))]);
    }

    private StatusCode Write(WriteValue write, DateTime now)
    {
        Node? node = AddressSpace.Find(write.NodeId);
        if (node is null)
        {
            return StatusCode.BadNodeIdUnknown;
        }

        if (write.AttributeId != AttributeId.Value)
        {
            return StatusCode.BadNotWritable;
        }

        if (node is not VariableNode { Writable: true } variable)
        {
            return StatusCode.BadNotWritable;
        }

        if (write.IndexRange is null)
        {
            return variable.Write(write.Value, now);
        }

        if (!NumericRange.TryParse(write.IndexRange, out NumericRange range))
        {
            return StatusCode.BadIndexRangeInvalid;
        }

        StatusCode patched = range.TryPatch(variable.Value.Value, write.Value.Value, out Variant whole);
        return patched.IsGood ? variable.Write(write.Value with { Value = whole }, now) : patched;
    }

    private (double Interval, uint Lifetime, uint KeepAlive) ReviseSubscription(double interval, uint lifetime, uint keepAlive)
    {
        double revised = double.IsNaN(interval) || interval < Options.MinPublishingInterval ? Options.MinPublishingInterval : Math.Min(interval, 3_600_000);
        uint revisedKeepAlive = keepAlive == 0 ? 10 : Math.Min(keepAlive, 10_000);
        uint revisedLifetime = Math.Max(lifetime, revisedKeepAlive * 3);
        return (revised, revisedLifetime, revisedKeepAlive);
    }

    private CreateSubscriptionResponse CreateSubscription(ServerSession session, CreateSubscriptionRequest create, ResponseHeader ok)
    {
        if (session.SubscriptionCount >= Options.MaxSubscriptionsPerSession)
        {
            throw new OpcUaException(StatusCode.BadTooManySubscriptions, "Too many subscriptions.");
        }

        (double interval, uint lifetime, uint keepAlive) = ReviseSubscription(create.RequestedPublishingInterval, create.RequestedLifetimeCount, create.RequestedMaxKeepAliveCount);
        uint id = (uint)Interlocked.Increment(ref _subscriptionId);
        ServerSubscription subscription = new(id, session, this, interval, lifetime, keepAlive, create.MaxNotificationsPerPublish, create.PublishingEnabled);
        _subscriptions[id] = subscription;
        session.AddSubscription(subscription);
        return new CreateSubscriptionResponse(ok, id, interval, lifetime, keepAlive);
    }

    private StatusCode DeleteSubscription(ServerSession session, uint id)
    {
        if (session.FindSubscription(id) is not { } subscription)
        {
            return StatusCode.BadSubscriptionIdInvalid;
        }

        RemoveSubscription(subscription);
        return StatusCode.Good;
    }

    /// <summary>
    /// TransferSubscriptions (OPC 10000-4 §5.13.7): a subscription of another (usually lost) session of the same user moves
    /// to this session with its items and retransmission queue; its available sequence numbers tell the client what
    /// to Republish.
    /// </summary>
    private TransferResult TransferSubscription(ServerSession session, uint id, bool sendInitialValues)
    {
        if (!_subscriptions.TryGetValue(id, out ServerSubscription? subscription))
        {
            return new TransferResult(StatusCode.BadSubscriptionIdInvalid, []);
        }

        ServerSession owner = subscription.Session;
        if (owner != session)
        {
            if (owner.UserName != session.UserName || !SameClientCertificate(owner, session))
            {
                return new TransferResult(StatusCode.BadUserAccessDenied, []);
            }

            if (session.SubscriptionCount >= Options.MaxSubscriptionsPerSession)
            {
                return new TransferResult(StatusCode.BadTooManySubscriptions, []);
            }

            owner.DetachSubscription(id);
            subscription.MoveTo(session);
            session.AddSubscription(subscription);
        }

        return new TransferResult(StatusCode.Good, subscription.TransferredTo(sendInitialValues));
    }

    private static bool SameClientCertificate(ServerSession a, ServerSession b) =>
        (a.ClientCertificate ?? []).AsSpan().SequenceEqual(b.ClientCertificate ?? []);

    private static (StatusCode Status, DataChangeFilter? Filter) CheckFilter(ExtensionObject filter, VariableNode? variable)
    {
        switch (filter.Body)
        {
            case null:
                return (StatusCode.Good, null);
            case DataChangeFilter dataChange:
                if (dataChange.DeadbandType == DeadbandType.None)
                {
                    return (StatusCode.Good, dataChange);
                }

                if (variable is null || !ServerMonitoredItem.IsNumeric(variable.Value.Value.Type) || dataChange.DeadbandType > DeadbandType.Percent || dataChange.DeadbandValue < 0)
                {
                    return (StatusCode.BadDeadbandFilterInvalid, null);
                }

                if (dataChange.DeadbandType == DeadbandType.Percent && (variable.EURange is null || dataChange.DeadbandValue > 100))
                {
                    return (StatusCode.BadMonitoredItemFilterUnsupported, null);
                }

                return (StatusCode.Good, dataChange);
            default:
                return (StatusCode.BadMonitoredItemFilterUnsupported, null);
        }
    }

    private double ReviseSampling(double requested, double publishingInterval, VariableNode? variable)
    {
        double interval = requested < 0 || double.IsNaN(requested) ? publishingInterval : requested;
        return Math.Min(Math.Max(Math.Max(interval, Options.MinSamplingInterval), variable?.MinimumSamplingInterval ?? 0), 3_600_000);
    }

    private CreateMonitoredItemsResponse CreateMonitoredItems(ServerSession session, CreateMonitoredItemsRequest create, ResponseHeader ok)
    {
        ServerSubscription subscription = session.FindSubscription(create.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
        CheckCount(create.ItemsToCreate.Count, Options.MaxMonitoredItemsPerCall);
        if (create.TimestampsToReturn is < TimestampsToReturn.Source or > TimestampsToReturn.Neither)
        {
            throw new OpcUaException(StatusCode.BadTimestampsToReturnInvalid, "Invalid TimestampsToReturn.");
        }

        List<MonitoredItemCreateResult> results = new(create.ItemsToCreate.Count);
        foreach (MonitoredItemCreateRequest item in create.ItemsToCreate)
        {
            Node? node = AddressSpace.Find(item.ItemToMonitor.NodeId);
            if (node is null)
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadNodeIdUnknown, 0, 0, 0));
                continue;
            }

            if (item.ItemToMonitor.AttributeId is < AttributeId.NodeId or > AttributeId.UserExecutable || (item.ItemToMonitor.AttributeId == AttributeId.Value && node is not VariableNode))
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadAttributeIdInvalid, 0, 0, 0));
                continue;
            }

            if (item.MonitoringMode is < MonitoringMode.Disabled or > MonitoringMode.Reporting)
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadMonitoringModeInvalid, 0, 0, 0));
                continue;
            }

            if (item.ItemToMonitor.AttributeId == AttributeId.EventNotifier || item.RequestedParameters.Filter.Body is EventFilter)
            {
                results.Add(CreateEventItem(subscription, node, item, create.TimestampsToReturn));
                continue;
            }

            VariableNode? variable = node as VariableNode;
            (StatusCode filterStatus, DataChangeFilter? filter) = CheckFilter(item.RequestedParameters.Filter, variable);
            if (filterStatus.IsBad)
            {
                results.Add(new MonitoredItemCreateResult(filterStatus, 0, 0, 0));
                continue;
            }

            MonitoringParameters p = item.RequestedParameters;
            double sampling = ReviseSampling(p.SamplingInterval, subscription.PublishingInterval, variable);
            uint queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
            uint id = (uint)Interlocked.Increment(ref _monitoredItemId);
            subscription.AddItem(new ServerMonitoredItem(id, item.ItemToMonitor, item.MonitoringMode, p.ClientHandle, sampling, queueSize, p.DiscardOldest, filter, variable?.EURange), create.TimestampsToReturn);
            results.Add(new MonitoredItemCreateResult(StatusCode.Good, id, sampling, queueSize));
        }

        return new CreateMonitoredItemsResponse(ok, results);
    }

    /// <summary>An event monitored item (OPC 10000-4 §5.12.1.4): the EventNotifier attribute of a notifier object, with an EventFilter.</summary>
    private MonitoredItemCreateResult CreateEventItem(ServerSubscription subscription, Node node, MonitoredItemCreateRequest item, TimestampsToReturn timestamps)
    {
        if (item.ItemToMonitor.AttributeId != AttributeId.EventNotifier)
        {
            return new MonitoredItemCreateResult(StatusCode.BadFilterNotAllowed, 0, 0, 0);
        }

        if (node is not ObjectNode { EventNotifier: var notifier } || (notifier & 0x01) == 0)
        {
            return new MonitoredItemCreateResult(node is ObjectNode ? StatusCode.BadNotSupported : StatusCode.BadAttributeIdInvalid, 0, 0, 0);
        }

        if (item.RequestedParameters.Filter.Body is not EventFilter filter)
        {
            return new MonitoredItemCreateResult(StatusCode.BadMonitoredItemFilterInvalid, 0, 0, 0);
        }

        StatusCode valid = EventFilterEvaluator.Validate(filter);
        if (valid.IsBad)
        {
            return new MonitoredItemCreateResult(valid, 0, 0, 0);
        }

        MonitoringParameters p = item.RequestedParameters;
        uint queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
        uint id = (uint)Interlocked.Increment(ref _monitoredItemId);
        subscription.AddItem(new ServerMonitoredItem(id, item.ItemToMonitor, item.MonitoringMode, p.ClientHandle, 0, queueSize, p.DiscardOldest, null, null) { EventFilter = filter }, timestamps);
        return new MonitoredItemCreateResult(StatusCode.Good, id, 0, queueSize);
    }

    /// <summary>
    /// Reports an event (OPC 10000-4 §5.12.1.4) to the event monitored items of every session on its source node, on the
    /// nodes above it and on the Server object, each through its own EventFilter.
    /// </summary>
    public void RaiseEvent(BaseEvent raised)
    {
        ArgumentNullException.ThrowIfNull(raised);
        DateTime now = Time.GetUtcNow().UtcDateTime;
        HashSet<NodeId> notifiers = AddressSpace.NotifiersOf(raised.SourceNode);
        foreach (ServerSubscription subscription in _subscriptions.Values)
        {
            subscription.ReportEvent(raised, notifiers, now);
        }
    }

    /// <summary>Call (OPC 10000-4 §5.11.2): each method is checked, then its handler runs; the response goes out when all are done.</summary>
    private async Task CallAsync(ServerConnection connection, ServerSession session, uint requestId, CallRequest call, ResponseHeader ok)
    {
        List<CallMethodResult> results = new(call.MethodsToCall.Count);
        foreach (CallMethodRequest request in call.MethodsToCall)
        {
            (MethodNode? method, CallMethodResult? failure) = AddressSpace.CheckCall(request);
            if (method is null)
            {
                results.Add(failure!);
                continue;
            }

            try
            {
                IReadOnlyList<Variant> outputs = await method.Handler!(new MethodCall(request.ObjectId, request.MethodId, request.InputArguments) { UserName = session.UserName, Session = session }, _stopping.Token).ConfigureAwait(false);
                results.Add(new CallMethodResult(StatusCode.Good, [], outputs));
            }
            catch (OpcUaException ex)
            {
                results.Add(new CallMethodResult(ex.StatusCode, [], []));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failing handler answers BadInternalError for its call only; the session and the other calls go on.
                results.Add(new CallMethodResult(StatusCode.BadInternalError, [], []));
            }
        }

        connection.SendResponseInBackground(requestId, new CallResponse(ok with { Timestamp = Time.GetUtcNow().UtcDateTime }, results));
    }

    private ModifyMonitoredItemsResponse ModifyMonitoredItems(ServerSession session, ModifyMonitoredItemsRequest modify, ResponseHeader ok)
    {
        ServerSubscription subscription = session.FindSubscription(modify.SubscriptionId) ?? throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "Unknown subscription.");
        CheckCount(modify.ItemsToModify.Count, Options.MaxMonitoredItemsPerCall);
        List<MonitoredItemCreateResult> results = [];
        foreach (MonitoredItemModifyRequest item in modify.ItemsToModify)
        {
            (StatusCode filterStatus, DataChangeFilter? filter) = CheckFilter(item.RequestedParameters.Filter, null);
            if (filterStatus.IsBad && item.RequestedParameters.Filter.Body is not DataChangeFilter)
            {
                results.Add(new MonitoredItemCreateResult(filterStatus, 0, 0, 0));
                continue;
            }

            filter ??= item.RequestedParameters.Filter.Body as DataChangeFilter;
            MonitoringParameters p = item.RequestedParameters;
            double sampling = ReviseSampling(p.SamplingInterval, subscription.PublishingInterval, null);
            uint queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
            StatusCode status = subscription.ModifyItem(item.MonitoredItemId, sampling, queueSize, p.DiscardOldest, p.ClientHandle, filter);
            results.Add(new MonitoredItemCreateResult(status, item.MonitoredItemId, status.IsGood ? sampling : 0, status.IsGood ? queueSize : 0));
        }

        return new ModifyMonitoredItemsResponse(ok, results);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA client certificate {Subject} rejected ({Status}): {Reason}")]
    private static partial void LogClientCertificateRejected(ILogger logger, string subject, StatusCode status, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "OPC UA reverse connect to {ClientUrl} failed: {Reason}")]
    private static partial void LogReverseConnectFailed(ILogger logger, string clientUrl, string reason);
}
