using System.Threading.Channels;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// What to monitor: an attribute of a node (or an IndexRange of its value), sampled at an interval, with a queue, an
/// optional data change filter and the initial monitoring mode; or, with an <paramref name="EventFilter"/>, the events of a
/// notifier object (see <see cref="ForEvents"/>).
/// </summary>
public sealed record MonitoredItemRequest(
    NodeId NodeId,
    double SamplingInterval = 100,
    uint QueueSize = 1,
    DataChangeFilter? Filter = null,
    AttributeId AttributeId = AttributeId.Value,
    bool DiscardOldest = true,
    MonitoringMode MonitoringMode = MonitoringMode.Reporting,
    string? IndexRange = null,
    EventFilter? EventFilter = null)
{
    /// <summary>The events of a notifier (an object with EventNotifier set, e.g. the Server object i=2253) that pass the filter (OPC 10000-4 §5.12.1.4).</summary>
    public static MonitoredItemRequest ForEvents(NodeId notifier, EventFilter filter, uint queueSize = 1000) =>
        new(notifier, 0, queueSize, null, AttributeId.EventNotifier, true, MonitoringMode.Reporting, null, filter);
}

/// <summary>A monitored item of a client subscription; the server id and status change when the client recreates it.</summary>
public sealed class MonitoredItem
{
    private readonly Lock _gate;
    private DataValue? _lastValue;

    internal MonitoredItem(MonitoredItemRequest request, uint clientHandle, Lock gate)
    {
        _gate = gate;
        Request = request;
        ClientHandle = clientHandle;
        MonitoringMode = request.MonitoringMode;
    }

    public MonitoredItemRequest Request { get; }

    public NodeId NodeId => Request.NodeId;

    public uint ClientHandle { get; }

    public uint ServerId { get; internal set; }

    /// <summary>The result of the last CreateMonitoredItems for this item (BadNodeIdUnknown for a node the server lacks).</summary>
    public StatusCode Status { get; internal set; } = StatusCode.BadWaitingForInitialData;

    public double RevisedSamplingInterval { get; internal set; }

    public uint RevisedQueueSize { get; internal set; }

    /// <summary>The last value delivered (read under the subscription's lock: a DataValue is a struct, written by the receive loop).</summary>
    public DataValue? LastValue
    {
        get
        {
            lock (_gate)
            {
                return _lastValue;
            }
        }
    }

    /// <summary>Sets <see cref="LastValue"/>; the caller holds the subscription's lock.</summary>
    internal void SetLastValueLocked(in DataValue value) => _lastValue = value;

    /// <summary>The mode last set (OPC 10000-4 §5.12.4); a recreated item gets it again.</summary>
    public MonitoringMode MonitoringMode { get; internal set; }

    /// <summary>Items this one triggers (SetTriggering, §5.12.5); the links are made again when the item is recreated.</summary>
    internal HashSet<MonitoredItem> TriggeredItems { get; } = [];
}

/// <summary>One value change delivered by a subscription.</summary>
public readonly record struct MonitoredItemValue(MonitoredItem Item, DataValue Value);

/// <summary>One event delivered by a subscription: the fields its EventFilter selected, in the order of the select clauses.</summary>
public readonly record struct MonitoredItemEvent(MonitoredItem Item, IReadOnlyList<Variant> Fields);

/// <summary>
/// Publishing settings of a subscription (OPC 10000-4 §5.13.2). With <paramref name="QueueValues"/> false the values are
/// only raised through <see cref="OpcUaSubscription.DataChanged"/>, and <see cref="OpcUaSubscription.Values"/> stays empty.
/// </summary>
public sealed record SubscriptionOptions(double PublishingInterval = 100, uint KeepAliveCount = 10, uint LifetimeCount = 100, uint MaxNotificationsPerPublish = 0, byte Priority = 0, bool QueueValues = true);

/// <summary>
/// A client subscription: its monitored items and a channel of value changes. The owning <see cref="OpcUaClient"/> feeds it
/// from Publish responses and recreates it, item by item, after the server lost it.
/// </summary>
public sealed class OpcUaSubscription
{
    private readonly OpcUaClient _client;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, MonitoredItem> _items = [];
    private readonly Channel<MonitoredItemValue> _values = Channel.CreateUnbounded<MonitoredItemValue>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<MonitoredItemEvent> _events = Channel.CreateUnbounded<MonitoredItemEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly NotificationSequence _sequence;
    private readonly NotificationSequence.InPlaceDelivery _deliverInPlace;
    private readonly List<MonitoredItemValue> _batch = [];
    private long _notifications;
    private long _keepAlives;
    private long _republished;

    internal OpcUaSubscription(OpcUaClient client, SubscriptionOptions options)
    {
        _client = client;
        Options = options;

        // Delivery runs under the sequence's lock, one message at a time and in order: the channels' single writer stays
        // single and each message's values stay together.
        _sequence = client.CreateNotificationSequence(this, DeliverOneMessage);
        _deliverInPlace = DeliverInPlace;
    }

    public SubscriptionOptions Options { get; private set; }

    public uint Id { get; internal set; }

    public double RevisedPublishingInterval { get; internal set; }

    public uint RevisedKeepAliveCount { get; internal set; }

    public uint RevisedLifetimeCount { get; internal set; }

    /// <summary>Value changes in the server's order: NotificationMessages in sequence number order, values in message order.</summary>
    public ChannelReader<MonitoredItemValue> Values => _values.Reader;

    /// <summary>
    /// Called for each delivered NotificationMessage with its values, in sequence order, on the connection's receive loop:
    /// keep it short, do not block on a service call of the same client, and copy what you keep (the list is reused).
    /// </summary>
    public event Action<OpcUaSubscription, IReadOnlyList<MonitoredItemValue>>? DataChanged;

    /// <summary>Events of the event items, in the server's order (queued when <see cref="SubscriptionOptions.QueueValues"/> is set).</summary>
    public ChannelReader<MonitoredItemEvent> Events => _events.Reader;

    /// <summary>Called for each delivered batch of events on the connection's receive loop; keep it short.</summary>
    public event Action<OpcUaSubscription, IReadOnlyList<MonitoredItemEvent>>? EventsReceived;

    public long NotificationCount => Interlocked.Read(ref _notifications);

    public long KeepAliveCount => Interlocked.Read(ref _keepAlives);

    /// <summary>Sequence numbers found missing and recovered with Republish.</summary>
    public long Republished => Interlocked.Read(ref _republished);

    /// <summary>NotificationMessages never received: a gap in the sequence numbers that neither a late response nor Republish filled in time.</summary>
    public long LostMessages => _sequence.LostCount;

    /// <summary>NotificationMessages that arrived ahead of their turn and were held until the ones before them came.</summary>
    internal long OvertakenMessages => _sequence.Overtaken;

    public IReadOnlyList<MonitoredItem> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items.Values];
            }
        }
    }

    /// <summary>Creates monitored items in batches within the server's MaxMonitoredItemsPerCall; each item carries its own status.</summary>
    public async Task<IReadOnlyList<MonitoredItem>> AddItemsAsync(IEnumerable<MonitoredItemRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        List<MonitoredItem> created = [];
        foreach (var request in requests)
        {
            created.Add(new MonitoredItem(request, _client.NextClientHandle(), _gate));
        }

        lock (_gate)
        {
            foreach (var item in created)
            {
                _items[item.ClientHandle] = item;
            }
        }

        await _client.CreateItemsOnServerAsync(this, created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>An item the server already monitors under its client handle, tracked without a service call (tests and benchmarks).</summary>
    internal MonitoredItem TrackItem(MonitoredItemRequest request)
    {
        MonitoredItem item = new(request, _client.NextClientHandle(), _gate) { Status = StatusCode.Good };
        lock (_gate)
        {
            _items[item.ClientHandle] = item;
        }

        return item;
    }

    public async Task RemoveItemsAsync(IEnumerable<MonitoredItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<MonitoredItem> removed = [];
        lock (_gate)
        {
            foreach (var item in items)
            {
                if (_items.Remove(item.ClientHandle))
                {
                    removed.Add(item);
                }
            }
        }

        await _client.DeleteItemsOnServerAsync(this, removed, cancellationToken).ConfigureAwait(false);
    }

    public async Task ModifyAsync(SubscriptionOptions options, CancellationToken cancellationToken)
    {
        Options = options;
        await _client.ModifySubscriptionOnServerAsync(this, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(CancellationToken cancellationToken) => _client.DeleteSubscriptionAsync(this, cancellationToken);

    /// <summary>
    /// SetMonitoringMode (OPC 10000-4 §5.12.4): Disabled stops sampling, Sampling samples and queues without reporting
    /// (until a triggering item reports), Reporting reports. One status per item.
    /// </summary>
    public Task<IReadOnlyList<StatusCode>> SetMonitoringModeAsync(IReadOnlyList<MonitoredItem> items, MonitoringMode mode, CancellationToken cancellationToken) =>
        _client.SetMonitoringModeOnServerAsync(this, items, mode, cancellationToken);

    /// <summary>
    /// SetTriggering (OPC 10000-4 §5.12.5): when <paramref name="trigger"/> reports, the queued values of the linked items
    /// (usually in Sampling mode) are reported with it. Returns one status per added and per removed link.
    /// </summary>
    public Task<(IReadOnlyList<StatusCode> Added, IReadOnlyList<StatusCode> Removed)> SetTriggeringAsync(MonitoredItem trigger, IReadOnlyList<MonitoredItem> linksToAdd, IReadOnlyList<MonitoredItem> linksToRemove, CancellationToken cancellationToken) =>
        _client.SetTriggeringOnServerAsync(this, trigger, linksToAdd, linksToRemove, cancellationToken);

    /// <summary>A new subscription on the server starts its sequence numbers at 1 again.</summary>
    internal void ResetSequence() => _sequence.Reset();

    /// <summary>Whether the message with this sequence number was delivered or is held for delivery.</summary>
    internal bool HasDelivered(uint sequence) => _sequence.Has(sequence);

    /// <summary>
    /// Takes a NotificationMessage from a Publish response: delivered once and in SequenceNumber order (several Publish
    /// requests are outstanding, so a message can overtake another; see <see cref="NotificationSequence"/>).
    /// </summary>
    internal void Deliver(NotificationMessage message)
    {
        if (message.NotificationData.Count == 0)
        {
            Interlocked.Increment(ref _keepAlives);
        }

        _sequence.Offer(message);
    }

    /// <summary>Takes a message fetched with Republish; counted in <see cref="Republished"/> when it was still missing.</summary>
    internal void DeliverRepublished(NotificationMessage message)
    {
        if (_sequence.Offer(message))
        {
            Interlocked.Increment(ref _republished);
        }
    }

    /// <summary>
    /// Delivers a NotificationMessage read in place from a Publish response (<paramref name="count"/> NotificationData
    /// ExtensionObjects at the reader) when it is the next in sequence; false when it is not (or is a keep-alive) and must
    /// go through <see cref="Deliver"/> decoded in full.
    /// </summary>
    internal bool DeliverInPlace(uint sequence, ref UaBinaryReader reader, int count) =>
        count > 0 && _sequence.TryDeliverInPlace(sequence, ref reader, count, _deliverInPlace);

    /// <summary>OPC 10000-4 §7.25: NotificationData ExtensionObjects; DataChangeNotifications (i=811) are read value by value.</summary>
    private void DeliverInPlace(ref UaBinaryReader reader, int count)
    {
        _batch.Clear();
        for (var i = 0; i < count; i++)
        {
            var typeId = reader.ReadNodeId();
            var encoding = reader.ReadByte();
            if (encoding != 0x01)
            {
                // No body, or an XML body: nothing a subscription delivers.
                _ = encoding == 0x02 ? reader.ReadXmlElement() : default;
                continue;
            }

            var length = reader.ReadInt32();
            var body = reader.ReadRaw(Math.Max(length, 0));
            UaBinaryReader inner = new(body, reader.Limits);
            if (typeId == DataChangeNotificationEncoding)
            {
                var values = inner.ReadArrayLength();
                lock (_gate)
                {
                    for (var v = 0; v < values; v++)
                    {
                        Collect(inner.ReadUInt32(), inner.ReadDataValue());
                    }
                }
            }
            else if (typeId == EventNotificationListEncoding)
            {
                DeliverEvents(EventNotificationList.Decode(ref inner));
            }
        }

        FlushValues();
    }

    private static readonly NodeId DataChangeNotificationEncoding = new(0, BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary);
    private static readonly NodeId EventNotificationListEncoding = new(0, BinaryEncodingIds.EventNotificationList_Encoding_DefaultBinary);

    private void DeliverOneMessage(NotificationMessage message)
    {
        _batch.Clear();
        foreach (var data in message.NotificationData)
        {
            if (data.Body is EventNotificationList events)
            {
                DeliverEvents(events);
                continue;
            }

            if (data.Body is not DataChangeNotification change)
            {
                continue;
            }

            lock (_gate)
            {
                foreach (var n in change.MonitoredItems)
                {
                    Collect(n.ClientHandle, n.Value);
                }
            }
        }

        FlushValues();
    }

    private void Collect(uint clientHandle, in DataValue value)
    {
        if (_items.TryGetValue(clientHandle, out var item))
        {
            item.SetLastValueLocked(value);
            _batch.Add(new MonitoredItemValue(item, value));
        }
    }

    /// <summary>Hands one message's values to the channel and the <see cref="DataChanged"/> handlers (the list is reused afterwards).</summary>
    private void FlushValues() => Hand(_batch, _values.Writer, DataChanged);

    private void DeliverEvents(EventNotificationList list)
    {
        List<MonitoredItemEvent> batch = [];
        lock (_gate)
        {
            foreach (var fields in list.Events)
            {
                if (_items.TryGetValue(fields.ClientHandle, out var item))
                {
                    batch.Add(new MonitoredItemEvent(item, fields.EventFields));
                }
            }
        }

        Hand(batch, _events.Writer, EventsReceived);
    }

    /// <summary>Counts a delivered batch, queues it when <see cref="SubscriptionOptions.QueueValues"/> is set and raises <paramref name="handlers"/> with it.</summary>
    private void Hand<T>(List<T> batch, ChannelWriter<T> queue, Action<OpcUaSubscription, IReadOnlyList<T>>? handlers)
    {
        Interlocked.Add(ref _notifications, batch.Count);
        OpcUaMetrics.NotificationsReceived.Add(batch.Count);
        if (Options.QueueValues)
        {
            foreach (var delivered in batch)
            {
                queue.TryWrite(delivered);
            }
        }

        try
        {
            handlers?.Invoke(this, batch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A consumer's fault must not stop delivery (it runs on the connection's receive loop).
            _client.OnHandlerFailed(this, ex);
        }
    }

    internal MonitoredItem? FindByServerId(uint serverId)
    {
        lock (_gate)
        {
            return _items.Values.FirstOrDefault(i => i.ServerId == serverId);
        }
    }

    internal void Complete()
    {
        _sequence.Dispose();
        _values.Writer.TryComplete();
        _events.Writer.TryComplete();
    }
}
