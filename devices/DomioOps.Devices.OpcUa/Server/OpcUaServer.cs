using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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
        var now = Time.GetUtcNow().UtcDateTime;
        foreach ((var id, var name, var value) in new[]
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
        (var host, var port) = ClientSecureChannel.ParseEndpoint(clientUrl);
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
                var run = connection.RunAsync(_stopping.Token, new ReverseHelloMessage(Options.ApplicationUri, EndpointUrl));
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
        foreach (var session in _sessions.Values)
        {
            session.Close(deleteSubscriptions: true);
        }

        _sessions.Clear();
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
        _stopping.Dispose();
    }

    /// <summary>Runs one service (OPC 10000-4 §5); returns null when the answer is sent later (Call, Publish).</summary>
    internal IServiceResponse? Handle(ServerConnection connection, uint requestId, IServiceRequest request)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        return request switch
        {
            // Discovery and the Session services that come before an activated session.
            GetEndpointsRequest getEndpoints => GetEndpoints(getEndpoints, now),
            CreateSessionRequest create => CreateSession(connection, create, now),
            ActivateSessionRequest activate => ActivateSession(connection, activate, now),
            _ => HandleInSession(connection, requestId, RequireSession(connection, request.RequestHeader), request, now),
        };
    }

    /// <summary>The services that run in an activated session, by service set.</summary>
    private IServiceResponse? HandleInSession(ServerConnection connection, uint requestId, ServerSession session, IServiceRequest request, DateTime now) => request switch
    {
        // Session
        CloseSessionRequest close => CloseSession(session, close, now),

        // View
        BrowseRequest browse => Browse(session, browse, now),
        BrowseNextRequest next => BrowseNext(session, next, now),
        TranslateBrowsePathsRequest translate => TranslateBrowsePaths(translate, now),
        RegisterNodesRequest register => RegisterNodes(register, now),
        UnregisterNodesRequest unregister => UnregisterNodes(unregister, now),

        // Attribute
        ReadRequest read => Read(read, now),
        WriteRequest write => Write(write, now),

        // Method
        CallRequest call => Call(connection, session, requestId, call, now),

        // MonitoredItem
        CreateMonitoredItemsRequest create => CreateMonitoredItems(session, create, now),
        ModifyMonitoredItemsRequest modify => ModifyMonitoredItems(session, modify, now),
        SetMonitoringModeRequest setMode => SetMonitoringMode(session, setMode, now),
        SetTriggeringRequest triggering => SetTriggering(session, triggering, now),
        DeleteMonitoredItemsRequest delete => DeleteMonitoredItems(session, delete, now),

        // Subscription
        CreateSubscriptionRequest create => CreateSubscription(session, create, now),
        ModifySubscriptionRequest modify => ModifySubscription(session, modify, now),
        DeleteSubscriptionsRequest delete => DeleteSubscriptions(session, delete, now),
        TransferSubscriptionsRequest transfer => TransferSubscriptions(session, transfer, now),
        PublishRequest publish => Publish(connection, session, requestId, publish),
        RepublishRequest republish => Republish(session, republish, now),

        _ => throw new OpcUaException(StatusCode.BadServiceUnsupported, $"{request.GetType().Name} is not supported."),
    };

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "OPC UA reverse connect to {ClientUrl} failed: {Reason}")]
    private static partial void LogReverseConnectFailed(ILogger logger, string clientUrl, string reason);
}
