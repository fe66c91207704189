using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// A subscription on the server (OPC 10000-4 §5.13.1): a publishing timer, sampling timers grouped by interval, keep-alive
/// and lifetime counters, and a retransmission queue of sent NotificationMessages for Republish. One lock guards it.
/// </summary>
internal sealed class ServerSubscription : IDisposable
{
    private const int MaxRetransmissionQueue = 64;

    private readonly Lock _gate = new();
    private ServerSession _session;
    private readonly OpcUaServer _server;
    private readonly Dictionary<uint, ServerMonitoredItem> _items = [];
    private readonly Dictionary<double, ITimer> _samplers = [];
    private readonly SortedDictionary<uint, NotificationMessage> _retransmission = [];
    private ITimer? _publishTimer;
    private uint _nextSequence = 1;
    private uint _keepAliveCounter;
    private uint _lifetimeCounter;
    private bool _firstPublishDone;
    private bool _disposed;

    public ServerSubscription(uint id, ServerSession session, OpcUaServer server, double publishingInterval, uint lifetimeCount, uint maxKeepAliveCount, uint maxNotificationsPerPublish, bool publishingEnabled)
    {
        Id = id;
        _session = session;
        _server = server;
        PublishingInterval = publishingInterval;
        LifetimeCount = lifetimeCount;
        MaxKeepAliveCount = maxKeepAliveCount;
        MaxNotificationsPerPublish = maxNotificationsPerPublish;
        PublishingEnabled = publishingEnabled;
        RestartPublishTimer();
    }

    public uint Id { get; }

    /// <summary>The session that owns it now; a transfer moves it (OPC 10000-4 §5.13.7).</summary>
    public ServerSession Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    public double PublishingInterval { get; private set; }

    public uint LifetimeCount { get; private set; }

    public uint MaxKeepAliveCount { get; private set; }

    public uint MaxNotificationsPerPublish { get; private set; }

    public bool PublishingEnabled { get; }

    public TimestampsToReturn Timestamps { get; set; } = TimestampsToReturn.Both;

    public int ItemCount
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public void Modify(double publishingInterval, uint lifetimeCount, uint maxKeepAliveCount, uint maxNotificationsPerPublish)
    {
        lock (_gate)
        {
            PublishingInterval = publishingInterval;
            LifetimeCount = lifetimeCount;
            MaxKeepAliveCount = maxKeepAliveCount;
            MaxNotificationsPerPublish = maxNotificationsPerPublish;
            _lifetimeCounter = 0;
            RestartPublishTimer();
        }
    }

    private void RestartPublishTimer()
    {
        _publishTimer?.Dispose();
        var period = TimeSpan.FromMilliseconds(PublishingInterval);
        _publishTimer = _server.Time.CreateTimer(static s => ((ServerSubscription)s!).OnPublishTimer(), this, period, period);
    }

    public void AddItem(ServerMonitoredItem item, TimestampsToReturn timestamps)
    {
        lock (_gate)
        {
            Timestamps = timestamps;
            _items[item.Id] = item;
            if (item.EventFilter is not null)
            {
                return;
            }

            EnsureSampler(item.SamplingInterval);
            item.Sample(_server.Sample(item.Item, timestamps));
        }
    }

    public StatusCode ModifyItem(uint id, double samplingInterval, uint queueSize, bool discardOldest, uint clientHandle, DataChangeFilter? filter)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(id, out var item))
            {
                return StatusCode.BadMonitoredItemIdInvalid;
            }

            item.SamplingInterval = samplingInterval;
            item.QueueSize = queueSize;
            item.DiscardOldest = discardOldest;
            item.ClientHandle = clientHandle;
            item.Filter = filter;
            EnsureSampler(samplingInterval);
            return StatusCode.Good;
        }
    }

    public StatusCode RemoveItem(uint id)
    {
        lock (_gate)
        {
            if (!_items.Remove(id, out var removed))
            {
                return StatusCode.BadMonitoredItemIdInvalid;
            }

            foreach (var item in _items.Values)
            {
                item.TriggeredItems.Remove(removed);
            }

            return StatusCode.Good;
        }
    }

    public StatusCode SetMonitoringMode(uint id, MonitoringMode mode)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(id, out var item))
            {
                return StatusCode.BadMonitoredItemIdInvalid;
            }

            var was = item.Mode;
            item.SetMode(mode);
            if (was == MonitoringMode.Disabled && mode != MonitoringMode.Disabled)
            {
                item.Sample(_server.Sample(item.Item, Timestamps));
            }

            return StatusCode.Good;
        }
    }

    /// <summary>SetTriggering (OPC 10000-4 §5.12.5): links are added and removed one by one, each with its own result.</summary>
    public (StatusCode[] Added, StatusCode[] Removed) SetTriggering(uint triggeringId, IReadOnlyList<uint> add, IReadOnlyList<uint> remove)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(triggeringId, out var trigger))
            {
                throw new OpcUaException(StatusCode.BadMonitoredItemIdInvalid, "Unknown triggering item.");
            }

            StatusCode[] removed = [.. remove.Select(id => _items.TryGetValue(id, out var item) && trigger.TriggeredItems.Remove(item) ? StatusCode.Good : StatusCode.BadMonitoredItemIdInvalid)];
            StatusCode[] added = [.. add.Select(id =>
            {
                if (!_items.TryGetValue(id, out var item) || id == triggeringId)
                {
                    return StatusCode.BadMonitoredItemIdInvalid;
                }

                trigger.TriggeredItems.Add(item);
                return StatusCode.Good;
            })];
            return (added, removed);
        }
    }

    /// <summary>Moves the subscription to another session; Publish requests of the new session serve it from now on.</summary>
    public void MoveTo(ServerSession session)
    {
        lock (_gate)
        {
            _session = session;
            _lifetimeCounter = 0;
        }
    }

    /// <summary>After a transfer: optionally requeues every item's last value and returns the sequence numbers still available.</summary>
    public uint[] TransferredTo(bool sendInitialValues)
    {
        lock (_gate)
        {
            if (sendInitialValues)
            {
                foreach (var item in _items.Values)
                {
                    item.RequeueLastValue();
                }
            }

            return [.. _retransmission.Keys];
        }
    }

    private void EnsureSampler(double interval)
    {
        if (_samplers.ContainsKey(interval))
        {
            return;
        }

        var period = TimeSpan.FromMilliseconds(interval);
        _samplers[interval] = _server.Time.CreateTimer(static s => ((SamplerState)s!).Run(), new SamplerState(this, interval), period, period);
    }

    private sealed record SamplerState(ServerSubscription Subscription, double Interval)
    {
        public void Run() => Subscription.SampleGroup(Interval);
    }

    private void SampleGroup(double interval)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var any = false;
            foreach (var item in _items.Values)
            {
                if (item.SamplingInterval == interval)
                {
                    any = true;
                    item.Sample(_server.Sample(item.Item, Timestamps));
                }
            }

            if (!any && _samplers.Remove(interval, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    private bool HasNotificationsLocked()
    {
        if (!PublishingEnabled)
        {
            return false;
        }

        foreach (var item in _items.Values)
        {
            if (item.Reportable)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Called when a Publish request arrives: a late subscription answers at once.</summary>
    public void OnPublishRequestQueued()
    {
        lock (_gate)
        {
            if (!_disposed && HasNotificationsLocked() && _firstPublishDone)
            {
                PublishLocked(keepAlive: false);
            }
        }
    }

    private void OnPublishTimer()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _firstPublishDone = true;
            if (HasNotificationsLocked())
            {
                if (!PublishLocked(keepAlive: false))
                {
                    CountLifetime();
                }

                return;
            }

            _keepAliveCounter++;
            if (_keepAliveCounter >= MaxKeepAliveCount)
            {
                if (!PublishLocked(keepAlive: true))
                {
                    CountLifetime();
                }
            }
        }
    }

    private void CountLifetime()
    {
        _lifetimeCounter++;
        if (_lifetimeCounter >= LifetimeCount)
        {
            _disposed = true;
            _ = Task.Run(() => _server.RemoveSubscription(this));
        }
    }

    private bool PublishLocked(bool keepAlive)
    {
        if (!_session.TryDequeuePublish(out var pending))
        {
            return false;
        }

        _keepAliveCounter = 0;
        _lifetimeCounter = 0;
        var now = _server.Time.GetUtcNow().UtcDateTime;
        NotificationMessage message;
        var more = false;
        if (keepAlive)
        {
            message = new NotificationMessage(_nextSequence, now, []);
        }
        else
        {
            var max = MaxNotificationsPerPublish == 0 ? int.MaxValue : (int)MaxNotificationsPerPublish;
            List<MonitoredItemNotification> notifications = [];
            List<EventFieldList> events = [];
            foreach (var item in _items.Values)
            {
                item.Drain(notifications, max - events.Count);
                item.DrainEvents(events, max - notifications.Count);
                if (notifications.Count + events.Count >= max)
                {
                    break;
                }
            }

            more = HasNotificationsLocked();
            List<ExtensionObject> data = [];
            if (notifications.Count > 0 || events.Count == 0)
            {
                data.Add(new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary), new DataChangeNotification(notifications)));
            }

            if (events.Count > 0)
            {
                data.Add(new ExtensionObject(new NodeId(0, BinaryEncodingIds.EventNotificationList_Encoding_DefaultBinary), new EventNotificationList(events)));
            }

            message = new NotificationMessage(_nextSequence, now, data);
            _retransmission[_nextSequence] = message;
            while (_retransmission.Count > MaxRetransmissionQueue)
            {
                _retransmission.Remove(_retransmission.Keys.First());
            }

            _nextSequence = NotificationMessage.Following(_nextSequence);
        }

        PublishResponse response = new(
            new ResponseHeader(now, pending.RequestHandle),
            Id,
            [.. _retransmission.Keys],
            more,
            message,
            pending.AckResults);
        pending.Respond(response);
        return true;
    }

    /// <summary>Queues an event on every event item of this subscription that monitors one of <paramref name="notifiers"/> and whose filter passes it.</summary>
    public void ReportEvent(BaseEvent raised, IReadOnlySet<NodeId> notifiers, DateTime receiveTime)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var item in _items.Values)
            {
                if (item.EventFilter is not null && notifiers.Contains(item.Item.NodeId)
                    && EventFilterEvaluator.Apply(item.EventFilter, raised, receiveTime, _server.AddressSpace) is { } fields)
                {
                    item.EnqueueEvent(fields);
                }
            }
        }
    }

    /// <summary>
    /// ConditionRefresh (OPC 10000-9 §5.5.7) for this subscription: every event item gets the RefreshStartEvent, then the
    /// retained conditions its notifier and where clause let through, then the RefreshEndEvent, in one block.
    /// </summary>
    public void ReportRefresh(BaseEvent start, IReadOnlyList<(BaseEvent Event, IReadOnlySet<NodeId> Notifiers)> retained, BaseEvent end, DateTime receiveTime)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var item in _items.Values)
            {
                if (item.EventFilter is not { } filter)
                {
                    continue;
                }

                item.EnqueueEvent(EventFilterEvaluator.SelectFields(filter, start, receiveTime, _server.AddressSpace));
                foreach ((var condition, var notifiers) in retained)
                {
                    if (notifiers.Contains(item.Item.NodeId) && EventFilterEvaluator.Apply(filter, condition, receiveTime, _server.AddressSpace) is { } fields)
                    {
                        item.EnqueueEvent(fields);
                    }
                }

                item.EnqueueEvent(EventFilterEvaluator.SelectFields(filter, end, receiveTime, _server.AddressSpace));
            }
        }
    }

    public StatusCode Acknowledge(uint sequenceNumber)
    {
        lock (_gate)
        {
            return _retransmission.Remove(sequenceNumber) ? StatusCode.Good : StatusCode.BadSequenceNumberUnknown;
        }
    }

    public NotificationMessage? Republish(uint sequenceNumber)
    {
        lock (_gate)
        {
            return _retransmission.GetValueOrDefault(sequenceNumber);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _publishTimer?.Dispose();
            foreach (var timer in _samplers.Values)
            {
                timer.Dispose();
            }

            _samplers.Clear();
            _items.Clear();
        }
    }
}
