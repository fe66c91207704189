using DomioOps.Devices.OpcUa.Encoding;
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
    private readonly CancellationTokenSource _disposing = new();
    private readonly PublishLoop _publishing;
    private readonly Func<ReadOnlySpan<byte>, EncodingLimits, IServiceResponse?> _publishResponseReader;
    private ClientSecureChannel? _channel;
    private NodeId _authenticationToken = NodeId.Null;
    private Task? _reconnectTask;
    private int _requestHandle;
    private int _clientHandle;

    public OpcUaClient(OpcUaClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        options.Validate();
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _publishing = new PublishLoop(this, _time);
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

    private RequestHeader Header(NodeId token) =>
        new(token, _time.GetUtcNow().UtcDateTime, (uint)Interlocked.Increment(ref _requestHandle), 0, null, (uint)Options.RequestTimeout.TotalMilliseconds);

    /// <summary>A request header of the current session.</summary>
    internal RequestHeader SessionHeader() => Header(_authenticationToken);

    /// <summary>A service call on the session; a reply saying the session is gone ends the channel so that the client heals.</summary>
    private async Task<T> RequestAsync<T>(IServiceRequest request, CancellationToken cancellationToken)
        where T : IServiceResponse
    {
        var channel = Channel;
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

    private static IEnumerable<List<T>> Batches<T>(IReadOnlyList<T> items, uint limit)
    {
        var size = limit == 0 ? Math.Max(items.Count, 1) : (int)limit;
        for (var i = 0; i < items.Count; i += size)
        {
            yield return [.. items.Skip(i).Take(size)];
        }
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

        foreach (var subscription in Subscriptions)
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

        _publishing.Dispose();
        _disposing.Dispose();
    }
}
