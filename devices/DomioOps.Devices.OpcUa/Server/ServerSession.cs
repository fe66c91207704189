using System.Diagnostics.CodeAnalysis;

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A Publish request waiting for a subscription to have something to say (OPC 10000-4 §5.13.5).</summary>
internal sealed class PendingPublish(ServerConnection connection, uint requestId, uint requestHandle, StatusCode[] ackResults)
{
    public uint RequestHandle { get; } = requestHandle;

    public StatusCode[] AckResults { get; } = ackResults;

    public ServerConnection Connection { get; } = connection;

    public void Respond(IServiceResponse response) => Connection.SendResponseInBackground(requestId, response);
}

/// <summary>A session on the server (OPC 10000-4 §5.6): identity, activation, its channel, subscriptions and queued Publish requests.</summary>
internal sealed class ServerSession
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingPublish> _publishQueue = new();
    private readonly Dictionary<uint, ServerSubscription> _subscriptions = [];
    private readonly Dictionary<string, (NodeId Node, List<ReferenceDescription> Remaining)> _continuationPoints = [];
    private readonly OpcUaServer _server;

    public ServerSession(OpcUaServer server, NodeId sessionId, NodeId authenticationToken, string? name, double timeout, ServerConnection connection)
    {
        _server = server;
        SessionId = sessionId;
        AuthenticationToken = authenticationToken;
        Name = name;
        Timeout = timeout;
        Connection = connection;
        LastActivity = server.Time.GetUtcNow();
    }

    public NodeId SessionId { get; }

    public NodeId AuthenticationToken { get; }

    public string? Name { get; }

    public double Timeout { get; }

    public bool Activated { get; set; }

    public string? UserName { get; set; }

    /// <summary>The client certificate given in CreateSession (null on SecurityPolicy None); a transfer needs the same one.</summary>
    public byte[]? ClientCertificate { get; init; }

    /// <summary>The nonce the client signs in its next ActivateSession.</summary>
    public byte[]? ServerNonce { get; set; }

    public ServerConnection Connection { get; set; }

    public DateTimeOffset LastActivity { get; set; }

    public int SubscriptionCount
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    public void AddSubscription(ServerSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions[subscription.Id] = subscription;
        }
    }

    public ServerSubscription? FindSubscription(uint id)
    {
        lock (_gate)
        {
            return _subscriptions.GetValueOrDefault(id);
        }
    }

    /// <summary>Takes a subscription out of this session without stopping it (deleted, expired or transferred away).</summary>
    public bool DetachSubscription(uint id)
    {
        lock (_gate)
        {
            return _subscriptions.Remove(id);
        }
    }

    /// <summary>Queues a Publish request; when too many wait, the oldest is answered with BadTooManyPublishRequests.</summary>
    public void EnqueuePublish(PendingPublish pending)
    {
        ServerSubscription[] subscriptions;
        PendingPublish? evicted = null;
        lock (_gate)
        {
            if (_subscriptions.Count == 0)
            {
                pending.Respond(new ServiceFault(new ResponseHeader(_server.Time.GetUtcNow().UtcDateTime, pending.RequestHandle, StatusCode.BadNoSubscription)));
                return;
            }

            _publishQueue.Enqueue(pending);
            if (_publishQueue.Count > _server.Options.MaxQueuedPublishRequests)
            {
                evicted = _publishQueue.Dequeue();
            }

            subscriptions = [.. _subscriptions.Values];
        }

        evicted?.Respond(new ServiceFault(new ResponseHeader(_server.Time.GetUtcNow().UtcDateTime, evicted.RequestHandle, StatusCode.BadTooManyPublishRequests)));
        foreach (var subscription in subscriptions)
        {
            subscription.OnPublishRequestQueued();
        }
    }

    public bool TryDequeuePublish([NotNullWhen(true)] out PendingPublish? pending)
    {
        lock (_gate)
        {
            while (_publishQueue.TryDequeue(out pending))
            {
                if (pending.Connection == Connection && !pending.Connection.IsClosed)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public string StoreContinuationPoint(NodeId node, List<ReferenceDescription> rest)
    {
        lock (_gate)
        {
            if (_continuationPoints.Count >= 16)
            {
                _continuationPoints.Remove(_continuationPoints.Keys.First());
            }

            var key = Guid.NewGuid().ToString("N");
            _continuationPoints[key] = (node, rest);
            return key;
        }
    }

    public bool TakeContinuationPoint(string key, out List<ReferenceDescription> rest)
    {
        lock (_gate)
        {
            var found = _continuationPoints.Remove(key, out var entry);
            rest = entry.Remaining;
            return found;
        }
    }

    private readonly Dictionary<string, uint> _continuationMax = [];

    public void StoreMaxReferences(string key, uint max)
    {
        lock (_gate)
        {
            _continuationMax[key] = max;
        }
    }

    public uint TakeMaxReferences(string key)
    {
        lock (_gate)
        {
            return _continuationMax.Remove(key, out var max) ? max : 0;
        }
    }

    /// <summary>
    /// Ends the session (OPC 10000-4 §5.6.4): queued Publish requests are dropped; its subscriptions are stopped, or with
    /// <paramref name="deleteSubscriptions"/> false left running for a TransferSubscriptions until their lifetime expires.
    /// Returns the ids of the subscriptions stopped.
    /// </summary>
    public IReadOnlyList<uint> Close(bool deleteSubscriptions)
    {
        ServerSubscription[] subscriptions;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions.Values];
            _publishQueue.Clear();
            if (deleteSubscriptions)
            {
                _subscriptions.Clear();
            }
        }

        if (!deleteSubscriptions)
        {
            return [];
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        return [.. subscriptions.Select(s => s.Id)];
    }
}
