using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// A monitored item on the server (OPC 10000-4 §5.12.1): samples its attribute at the revised sampling interval, applies
/// the data change filter (trigger, absolute or percent deadband) and keeps at most QueueSize values for publishing.
/// </summary>
internal sealed class ServerMonitoredItem
{
    private readonly Queue<DataValue> _queue = new();
    private readonly Queue<EventFieldList> _events = new();
    private DataValue? _lastSampled;
    private bool _triggered;

    public ServerMonitoredItem(uint id, ReadValueId item, MonitoringMode mode, uint clientHandle, double samplingInterval, uint queueSize, bool discardOldest, DataChangeFilter? filter, (double Low, double High)? euRange)
    {
        Id = id;
        Item = item;
        Mode = mode;
        ClientHandle = clientHandle;
        SamplingInterval = samplingInterval;
        QueueSize = queueSize;
        DiscardOldest = discardOldest;
        Filter = filter;
        EURange = euRange;
    }

    public uint Id { get; }

    public ReadValueId Item { get; }

    public MonitoringMode Mode { get; set; }

    public uint ClientHandle { get; set; }

    public double SamplingInterval { get; set; }

    public uint QueueSize { get; set; }

    public bool DiscardOldest { get; set; }

    public DataChangeFilter? Filter { get; set; }

    public (double Low, double High)? EURange { get; }

    /// <summary>Set for an item on an EventNotifier attribute (OPC 10000-4 §5.12.1.4): it is not sampled, events are queued.</summary>
    public EventFilter? EventFilter { get; init; }

    public int Pending => _queue.Count + _events.Count;

    /// <summary>Items in Sampling mode whose queues are reported when this item reports (SetTriggering, OPC 10000-4 §5.12.1.6).</summary>
    public HashSet<ServerMonitoredItem> TriggeredItems { get; } = [];

    /// <summary>Whether a Publish would take something from this item now.</summary>
    public bool Reportable => (_queue.Count > 0 || _events.Count > 0) && (Mode == MonitoringMode.Reporting || (Mode == MonitoringMode.Sampling && _triggered));

    /// <summary>
    /// SetMonitoringMode (OPC 10000-4 §5.12.4): Disabled stops sampling and empties the queue; leaving Disabled starts
    /// over, so the next sample is reported as the first.
    /// </summary>
    public void SetMode(MonitoringMode mode)
    {
        if (mode == MonitoringMode.Disabled)
        {
            _queue.Clear();
            _events.Clear();
            _lastSampled = null;
        }

        _triggered = false;
        Mode = mode;
    }

    /// <summary>After a transfer with SendInitialValues: the last sampled value is reported again (§5.13.7).</summary>
    public void RequeueLastValue()
    {
        if (Mode != MonitoringMode.Disabled && _queue.Count == 0 && _lastSampled is DataValue last)
        {
            _queue.Enqueue(last);
        }
    }

    /// <summary>Takes a sample; a value that passes the filter is queued (the first sample always passes).</summary>
    public void Sample(DataValue value)
    {
        if (Mode == MonitoringMode.Disabled || EventFilter is not null)
        {
            return;
        }

        if (_lastSampled is DataValue last && !Passes(last, value))
        {
            return;
        }

        _lastSampled = value;
        if (_queue.Count >= QueueSize)
        {
            if (!DiscardOldest)
            {
                // §5.12.1.5: the newest value replaces the last queued one; the overflow bit marks the loss when QueueSize > 1.
                List<DataValue> kept = [.. _queue];
                _queue.Clear();
                kept.RemoveAt(kept.Count - 1);
                kept.ForEach(_queue.Enqueue);
            }
            else
            {
                _queue.Dequeue();
            }

            if (QueueSize > 1)
            {
                value = value with { StatusCode = new StatusCode(value.StatusCode.Code | 0x0480) };
            }
        }

        _queue.Enqueue(value);
        if (Mode == MonitoringMode.Reporting)
        {
            foreach (var linked in TriggeredItems)
            {
                linked._triggered = linked.Mode == MonitoringMode.Sampling;
            }
        }
    }

    /// <summary>Queues the selected fields of an event; a full queue drops the oldest or the newest (§5.12.1.5).</summary>
    public void EnqueueEvent(IReadOnlyList<Variant> fields)
    {
        if (Mode == MonitoringMode.Disabled)
        {
            return;
        }

        if (_events.Count >= QueueSize)
        {
            if (!DiscardOldest)
            {
                return;
            }

            _events.Dequeue();
        }

        _events.Enqueue(new EventFieldList(ClientHandle, fields));
    }

    public void DrainEvents(List<EventFieldList> into, int max)
    {
        if (!Reportable)
        {
            return;
        }

        while (_events.Count > 0 && into.Count < max)
        {
            into.Add(_events.Dequeue());
        }
    }

    public void Drain(List<MonitoredItemNotification> into, int max)
    {
        if (!Reportable)
        {
            return;
        }

        while (_queue.Count > 0 && into.Count < max)
        {
            into.Add(new MonitoredItemNotification(ClientHandle, _queue.Dequeue()));
        }

        _triggered = _triggered && _queue.Count > 0;
    }

    private bool Passes(DataValue last, DataValue next)
    {
        var trigger = Filter?.Trigger ?? DataChangeTrigger.StatusValue;
        if (last.StatusCode != next.StatusCode)
        {
            return true;
        }

        if (trigger == DataChangeTrigger.Status)
        {
            return false;
        }

        if (ValueChanged(last.Value, next.Value))
        {
            return true;
        }

        return trigger == DataChangeTrigger.StatusValueTimestamp && last.SourceTimestamp != next.SourceTimestamp;
    }

    private bool ValueChanged(Variant last, Variant next)
    {
        var deadband = Filter?.DeadbandType ?? DeadbandType.None;
        if (deadband == DeadbandType.None || last.IsNull || next.IsNull || last.Type != next.Type)
        {
            return !last.Equals(next);
        }

        var threshold = deadband == DeadbandType.Absolute
            ? Filter!.DeadbandValue
            : Filter!.DeadbandValue / 100.0 * ((EURange?.High ?? 0) - (EURange?.Low ?? 0));
        if (!last.IsArray)
        {
            return Math.Abs(ToDouble(next.Value) - ToDouble(last.Value)) > threshold;
        }

        var a = (Array)last.Value!;
        var b = (Array)next.Value!;
        if (a.Length != b.Length)
        {
            return true;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (Math.Abs(ToDouble(b.GetValue(i)) - ToDouble(a.GetValue(i))) > threshold)
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsNumeric(BuiltInType type) => type is >= BuiltInType.SByte and <= BuiltInType.Double;

    private static double ToDouble(object? value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
}
